"""Pages of 整改: the list (the office's, with the form that opens an item; a
department's own) and an item (the department's answer, the office's closing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.errors import ProposalError
from quotas.access import sees_all_departments

from . import policy, rectifications
from .forms_rectification import CloseForm, OpenRectificationForm, PlanForm
from .models import Flag, RectificationState
from .views_evaluation import refused, require_office


@login_required
def rectification_list(request):
    user = request.user
    form = OpenRectificationForm(request.POST or None) if policy.is_office(user) else None
    if request.method == "POST":
        require_office(user)
        if form.is_valid():
            data = form.cleaned_data
            flag = None
            if data["flag"] is not None:
                flag = Flag.objects.select_related("issuer").filter(pk=data["flag"]).first()
                if flag is None:
                    form.add_error("flag", _("没有这条线索。"))
            if not form.errors:
                try:
                    item = rectifications.rectification_open(
                        by=user, problem=data["problem"], flag=flag, department=data["department"],
                        rating_year=data["rating_year"])
                except ProposalError as error:
                    refused(form, error)
                else:
                    messages.success(request, _("已交办整改。"))
                    return redirect("loop:rectification", pk=item.pk)
    items = rectifications.visible_rectifications(user)
    return render(request, "grassroots/rectifications.html", {
        "items": items, "form": form, "today": timezone.localdate(), "sees_all": sees_all_departments(user),
        "open_count": items.exclude(state=RectificationState.CLOSED).count(),
    }, status=400 if form is not None and form.errors else 200)


@login_required
def rectification_detail(request, pk):
    user = request.user
    item = rectifications.get_for_user(user, pk)
    plan_form = PlanForm(initial={"measures": item.measures, "due_on": item.due_on})
    close_form = CloseForm()
    status = 200
    if request.method == "POST":
        try:
            if "measures" in request.POST:
                plan_form = PlanForm(request.POST)
                if plan_form.is_valid():
                    rectifications.rectification_plan(by=user, item=item, **plan_form.cleaned_data)
                    messages.success(request, _("整改措施已报送。"))
                    return redirect("loop:rectification", pk=pk)
            else:
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    rectifications.rectification_close(by=user, item=item, note=close_form.cleaned_data["note"])
                    messages.success(request, _("已销号。"))
                    return redirect("loop:rectification", pk=pk)
            status = 400
        except ProposalError as error:
            messages.error(request, str(error))
            status = error.status
        item = rectifications.get_for_user(user, pk)
    return render(request, "grassroots/rectification.html", {
        "item": item, "plan_form": plan_form, "close_form": close_form,
        "may_answer": item.state != RectificationState.CLOSED and rectifications.may_answer(user, item),
        "may_close": item.state == RectificationState.PLANNED and policy.is_office(user),
        # The flag as the department may see it: its summary, never its reporter.
        "flag": item.flag,
    }, status=status)
