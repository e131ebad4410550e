"""代理 pages: a head, reviewer or leader names a deputy for a date range and
sees who stands in for whom; thin views over approvals.deputies."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from quotas.models import Role, User

from . import deputies
from .errors import ProposalError


class DeputyForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("代理角色"))
    deputy = forms.ModelChoiceField(label=gettext_lazy("代理人"), queryset=User.objects.none())
    start = forms.DateField(label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [r for r in deputies.DEPUTISED_ROLES if r in principal.roles]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        # Who holds one of those roles (the service checks it is the chosen one).
        self.fields["deputy"].queryset = (User.objects.filter(is_active=True, groups__name__in=roles)
                                          .exclude(pk=principal.pk).select_related("department")
                                          .distinct().order_by("department__code", "username"))
        self.fields["deputy"].label_from_instance = lambda u: (
            f"{u.last_name}{u.first_name or ''}（{u.username}{' · ' + u.department.name if u.department else ''}）")
        self.fields["start"].initial = timezone.localdate()


@login_required
def deputy_page(request):
    """My deputies (I name them) and whom I stand in for today."""
    user = request.user
    may_name = deputies.may_name_deputy(user)
    form = DeputyForm(request.POST or None, principal=user) if may_name else None
    if request.method == "POST":
        if not may_name:
            raise PermissionDenied(_(deputies.MSG_NOT_YOUR_ROLE))
        if form.is_valid():
            try:
                deputies.deputy_appoint(principal=user, **form.cleaned_data)
            except ProposalError as error:
                for problem in error.problems or [None]:
                    form.add_error(problem.field if problem else None, problem.message if problem else str(error))
            else:
                messages.success(request, _("已指定代理人。"))
                return redirect("approvals:deputies")
    today = timezone.localdate()
    return render(request, "approvals/deputies.html", {
        "form": form,
        "named": deputies.Deputy.objects.filter(principal=user, end__gte=today).select_related("deputy"),
        "standing_in": deputies.Deputy.objects.filter(deputy=user, end__gte=today).select_related("principal"),
        "today": today,
        "roles": dict(Role.choices),
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def deputy_end(request, pk):
    deputyship = get_object_or_404(deputies.Deputy, pk=pk, principal=request.user)
    deputies.deputy_end(deputyship=deputyship, by=request.user)
    messages.success(request, _("代理已结束。"))
    return redirect("approvals:deputies")
