from django.urls import path

from . import deputy_views, plan_views, views

app_name = "approvals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("todo/", views.todo_page, name="todo"),
    path("timeliness/", views.timeliness_page, name="timeliness"),
    path("deputies/", deputy_views.deputy_page, name="deputies"),
    path("deputies/<int:pk>/end/", deputy_views.deputy_end, name="deputy_end"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/file/<int:year>/", plan_views.plan_file, name="plan_file"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/submit/", plan_views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/decide/", plan_views.plan_decide, name="plan_decide"),
    path("new/<str:kind>/", views.proposal_create, name="create"),
    path("new/<str:kind>/preview/", views.proposal_preview_form, name="preview_new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/preview/", views.proposal_preview_form, name="preview"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/decide/", views.proposal_decide, name="decide"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/cancel/", views.proposal_cancel, name="cancel"),
    path("<int:pk>/complete/", views.proposal_complete, name="complete"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"),
]
