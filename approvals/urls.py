from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/<str:kind>/", views.proposal_create, name="create"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/decide/", views.proposal_decide, name="decide"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/cancel/", views.proposal_cancel, name="cancel"),
    path("<int:pk>/complete/", views.proposal_complete, name="complete"),
]
