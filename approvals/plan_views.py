"""年度计划 pages: a department's clerk files next year's plan in its window; the
review office lists the departments' plans and approves or returns one; heads,
leaders and auditors read. Thin views over approvals.plans and approvals.policy.

A refused action re-renders the plan page with the reason and the refusal's 4xx
status, keeping what was typed.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from quotas.access import sees_all_departments
from quotas.limits import TEXT_MAX_CHARS
from quotas.models import Kind
from quotas.validators import MAX_YEAR, MIN_YEAR

from . import plans, policy
from .errors import ProposalError, SubmissionRefused
from .models import PLAN_EDITABLE_STATES, Plan, PlanState

BLANK = [("", "---------")]
LIST_PAGE_SIZE = 50
EVENT_LABELS = {"create": gettext_lazy("创建"), "submit": gettext_lazy("报送"), "approve": gettext_lazy("批准"),
                "return": gettext_lazy("退回修改")}


def month_choices():
    return BLANK + [(m, _("{month} 月").format(month=m)) for m in range(1, 13)]


class PlanItemForm(forms.Form):
    # Blank first choices: an untouched extra row comes back unchanged and is skipped.
    month = forms.TypedChoiceField(label=gettext_lazy("月份"), choices=month_choices, coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=BLANK + Kind.choices)
    title = forms.CharField(label=gettext_lazy("事项"), max_length=200,
                            widget=forms.TextInput(attrs={"maxlength": 200}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # one row of inputs under a shared heading
            field.widget.attrs["aria-label"] = field.label


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=3, can_delete=True, max_num=plans.MAX_ITEMS,
                                        validate_max=True)


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("审核决定"), widget=forms.RadioSelect, choices=[
        ("approve", gettext_lazy("批准（计划数成为该年度总量）")), ("return", gettext_lazy("退回修改"))])
    comment = forms.CharField(label=gettext_lazy("审核意见（退回时必填）"), required=False, max_length=TEXT_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 3}))


def _require_reader(user):
    if not policy.may_read_plans(user):
        raise PermissionDenied(_(policy.MSG_PLAN_READER))


def _year(request, default):
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


@login_required
@require_GET
def plan_list(request):
    """The office: every department's plan for a year, submitted ones first.
    A department: its own plans, and next year's to file."""
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    filing_year = plans.filing_year(today)
    context = {"filing_year": filing_year, "may_file": policy.plan_filer_refusal(user, user.department_id) is None,
               "kinds": Kind.choices}
    if sees_all_departments(user):
        year = _year(request, filing_year)
        page = Paginator(plans.plan_overview(year), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(year=year, page=page, rows=page.object_list, query=f"year={year}", office=True,
                       window=plans.window_of(year))
    else:
        rows = plans.department_plans(user.department_id)
        context.update(rows=rows, office=False, window=plans.window_of(filing_year),
                       filed=any(row.plan.year == filing_year for row in rows))
    return render(request, "approvals/plans.html", context)


@login_required
def plan_file(request, year):
    """The clerk's way in to their department's plan for `year`: the plan if
    there is one, else an empty plan to fill in (saved on the first POST)."""
    user = request.user
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year")
    if (reason := policy.plan_filer_refusal(user, user.department_id)) is not None:
        raise PermissionDenied(_(reason))
    plan = Plan.objects.filter(department_id=user.department_id, year=year).first()
    if plan is not None:
        return redirect("approvals:plan", pk=plan.pk)
    return _plan_page(request, plan=None, department=user.department, year=year)


@login_required
def plan_detail(request, pk):
    plan = policy.get_plan_for_user(request.user, pk)
    return _plan_page(request, plan=plan, department=plan.department, year=plan.year)


def _plan_page(request, *, plan, department, year):
    """Show the plan; a POST saves its items (the clerk, in the window)."""
    user = request.user
    refusal = _edit_refusal(user, plan, department, year)
    initial = [{"month": i.month, "kind": i.kind, "title": i.title} for i in _in_month_order(plan)]
    formset = PlanItemFormSet(request.POST or None, initial=initial, prefix="items") if refusal is None else None
    if request.method == "POST":
        if refusal is not None:  # not theirs: 403; not now (state, window): 409
            return _render(request, plan=plan, department=department, year=year, error=refusal,
                           status=403 if policy.plan_filer_refusal(user, department.pk) else 409)
        if formset.is_valid():
            items = [{k: form.cleaned_data[k] for k in ("month", "kind", "title")} for form in formset.forms
                     if form.cleaned_data and not form.cleaned_data.get("DELETE")]
            try:
                plan = plans.plan_save(by=user, year=year, items=items, plan=plan)
            except ProposalError as error:
                return _render(request, plan=plan, department=department, year=year, formset=formset,
                               error=str(error), status=error.status)
            messages.success(request, _("年度计划已保存，共 {n} 项。").format(n=len(items)))
            return redirect("approvals:plan", pk=plan.pk)
        return _render(request, plan=plan, department=department, year=year, formset=formset, status=400)
    return _render(request, plan=plan, department=department, year=year, formset=formset)


def _edit_refusal(user, plan, department, year) -> str | None:
    """Why `user` may not change the plan's items now, or None: its clerk, while
    it is a draft or returned, inside the year's window (outside it the page is
    read-only, as submitting is refused there)."""
    if (reason := policy.plan_filer_refusal(user, department.pk)) is not None:
        return _(reason)
    if plan is not None and plan.state not in PLAN_EDITABLE_STATES:
        return _(plans.MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("修改"))
    return plans.window_refusal(year, timezone.localdate())


def _render(request, *, plan, department, year, formset=None, error=None, decision_form=None, status=200):
    user = request.user
    still_open = plan is None or plan.state in PLAN_EDITABLE_STATES
    # Outside the window a plan still to be filed is read-only; say when the window is.
    window_closed = plans.window_refusal(year, timezone.localdate()) if still_open else None
    events = list(plan.events.select_related("actor")) if plan else []
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return render(request, "approvals/plan.html", {
        "plan": plan, "department": department, "year": year, "formset": formset, "error": error,
        "window": plans.window_of(year), "window_closed": window_closed,
        "lines": plans.cap_lines(department, year, plans.item_counts(plan)),
        "items": _in_month_order(plan), "events": events,
        "returned": next((e for e in reversed(events) if e.action == "return"), None)
        if plan and plan.state == PlanState.RETURNED else None,
        "may_submit": plan is not None and still_open and window_closed is None
        and policy.plan_filer_refusal(user, plan.department_id) is None,
        "decision_form": decision_form or (PlanDecisionForm() if _may_decide(user, plan) else None),
    }, status=status)


def _in_month_order(plan):
    return plan.items.order_by("month", "kind", "pk") if plan else []


def _may_decide(user, plan) -> bool:
    return plan is not None and plan.state == PlanState.SUBMITTED and policy.plan_decider_refusal(user, plan) is None


def _refused(request, plan, error, **extra):
    plan = Plan.objects.select_related("department").get(pk=plan.pk)
    return _render(request, plan=plan, department=plan.department, year=plan.year, error=str(error),
                   status=error.status, **extra)


@login_required
@require_POST
def plan_submit(request, pk):
    plan = policy.get_plan_for_user(request.user, pk)
    try:
        plans.plan_submit(plan=plan, by=request.user)
    except ProposalError as error:
        return _refused(request, plan, error)
    messages.success(request, _("年度计划已报送减负办审核。"))
    return redirect("approvals:plan", pk=plan.pk)


@login_required
@require_POST
def plan_decide(request, pk):
    plan = policy.get_plan_for_user(request.user, pk)
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, plan, SubmissionRefused(_("请选择审核决定。")), decision_form=form)
    try:
        decided = plans.plan_decide(plan=plan, by=request.user, **form.cleaned_data)
    except ProposalError as error:
        return _refused(request, plan, error, decision_form=form)
    if decided.state == PlanState.APPROVED:
        messages.success(request, _("已批准，计划数已设为 {year} 年度总量。").format(year=decided.year))
    else:
        messages.success(request, _("已退回经办人修改。"))
    return redirect(f"{reverse('approvals:plans')}?year={decided.year}")
