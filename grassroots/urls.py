from django.urls import path

from . import views

app_name = "grassroots"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("new/", views.flag_create, name="create"),
    path("<int:pk>/", views.flag_detail, name="detail"),
    path("<int:pk>/triage/", views.flag_triage, name="triage"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
]
