from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("flags", api.FlagViewSet, basename="flag")

urlpatterns = [
    # A number has Chinese brackets, and a format (JIANFU["REGISTRY_FORMAT"]) may put
    # slashes in it: everything up to the last "/" is the number.
    re_path(r"^registry/(?P<number>[^\n]{1,80})/$", api.RegistryLookup.as_view(), name="registry"),
    *router.urls,
]
