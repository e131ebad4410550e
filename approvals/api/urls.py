from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from reports.api import ReportPlans, ReportSummary

from . import plans, views

router = SimpleRouter()
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("plans", plans.PlanViewSet, basename="plan")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("departments/", views.DepartmentList.as_view(), name="department-list"),
    path("quotas/", views.QuotaList.as_view(), name="quota-list"),
    path("tasks/", views.TaskList.as_view(), name="task-list"),
    path("reports/<int:year>/summary/", ReportSummary.as_view(), name="report-summary"),
    path("reports/<int:year>/plans/", ReportPlans.as_view(), name="report-plans"),
    path("", include(router.urls)),
    path("", include("grassroots.api_urls")),  # registry look-up and flags
    path("", include("notifications.api_urls")),
    # [\s\S], not ".": a path with a newline in it must get the JSON 404 too.
    re_path(r"^[\s\S]*$", views.NotFound.as_view()),
]
