from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import api, api_evaluations, api_monitoring

router = SimpleRouter()
router.register("flags", api.FlagViewSet, basename="flag")

urlpatterns = [
    # A number has Chinese brackets, and a format (JIANFU["REGISTRY_FORMAT"]) may put
    # slashes in it: everything up to the last "/" is the number.
    re_path(r"^registry/(?P<number>[^\n]{1,80})/$", api.RegistryLookup.as_view(), name="registry"),
    path("evaluations/", api_evaluations.Evaluations.as_view(), name="evaluations"),
    path("evaluations/summary/", api_evaluations.EvaluationSummary.as_view(), name="evaluation-summary"),
    path("monitoring/<slug:unit>/<int:year>-<int:month>/", api_monitoring.MonitoringLog.as_view(),
         name="monitoring-log"),
    *router.urls,
]
