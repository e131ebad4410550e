from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("flags", api.FlagViewSet, basename="flag")

urlpatterns = [
    # A number has Chinese brackets and may be typed with spaces; anything but "/".
    re_path(r"^registry/(?P<number>[^/]{1,80})/$", api.RegistryLookup.as_view(), name="registry"),
    *router.urls,
]
