from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from approvals import views as approval_views
from approvals.flows import ProposalFlow
from grassroots import views as grassroots_views
from quotas import views as quota_views

# viewflow's task inbox, queue, archive and process chart for heads, reviewers and leaders.
workflow_site = Site(
    title=_("减负闸 · 审核待办"),
    viewsets=[FlowAppViewset(ProposalFlow, icon="approval")],
)

urlpatterns = [
    path("", quota_views.dashboard, name="home"),
    path("proposals/", include("approvals.urls")),
    path("notifications/", include("notifications.urls")),
    path("public/meeting-costs/", approval_views.meeting_costs, name="meeting_costs"),
    path("reports/", include("reports.urls")),
    path("verify/", grassroots_views.verify, name="verify"),
    path("flags/", include("grassroots.urls")),
    path("grassroots/", include("grassroots.urls_loop")),  # 逆向考核, 监测点, 整改
    path("workflow/", workflow_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("approvals.api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

if settings.JIANFU_BENCH_BASELINE:
    from config.bench import BaselineInsert

    urlpatterns.insert(0, path("api/v1/bench/baseline/", BaselineInsert.as_view()))
