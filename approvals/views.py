from django.shortcuts import redirect
from django.views import View


class TaskRedirectView(View):
    """viewflow's task page for every review step: the decision form lives on
    the proposal's own page, which web and API share through the services."""

    def get(self, request, *args, **kwargs):
        return redirect("approvals:detail", pk=request.activation.process.artifact_object_id)

    post = get
