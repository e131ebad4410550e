"""年度计划 (计划管理): a department files next year's planned documents (立项),
meetings and inspections in the window the administrator sets; the review
office approves or returns the plan (its own small flow, the same policy and an
audit trail). An approved plan's count per kind becomes the department's cap,
never above what plan_quotas' year-over-year reduction allows. In a year under
计划管理 (one with a PlanWindow), a proposal that matches no planned item is
计划外 and escalates (一事一议).
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Kind, Quota
from quotas.services import QuotaError, quota_planned_cap, quota_set_cap

from . import policy
from .errors import InvalidTransition, SubmissionRefused
from .lifecycle import State
from .models import Plan, PlanEvent, PlanItem, PlanState, PlanWindow, Proposal
from .problems import Problem

MSG_WINDOW = gettext_noop("{year} 年度计划的填报期为 {opens} 至 {closes}，现在不能提交。")
MSG_NO_WINDOW = gettext_noop("尚未设置 {year} 年度计划的填报期，请联系系统管理员。")
MSG_WRONG_STATE = gettext_noop("该年度计划当前状态为“{state}”，不能{action}。")
MSG_EMPTY = gettext_noop("年度计划至少要有一项。")
MSG_COMMENT = gettext_noop("退回时请写明意见。")
# Proposals in these states have used their planned item.
USING = (State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW, State.RETURNED, State.APPROVED,
         State.COMPLETED)


def _event(plan, by, action, from_state, comment=""):
    PlanEvent.objects.create(plan=plan, actor=by, action=action, from_state=from_state, to_state=plan.state,
                             comment=comment)


def plan_save(*, by, year: int, items: list[dict], plan: Plan | None = None) -> Plan:
    """Create or replace a draft (or returned) plan's items: [{kind, month, title}]."""
    policy.require_plan_filer(by, by.department_id)
    with transaction.atomic():
        if plan is None:
            plan, created = Plan.objects.get_or_create(department_id=by.department_id, year=year,
                                                       defaults={"created_by": by})
            if created:
                _event(plan, by, "create", PlanState.DRAFT)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        policy.require_plan_filer(by, plan.department_id)
        if plan.state not in (PlanState.DRAFT, PlanState.RETURNED):
            raise InvalidTransition(_(MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("修改")))
        plan.items.all().delete()
        PlanItem.objects.bulk_create([PlanItem(plan=plan, **item) for item in items])
    return plan


def plan_submit(*, plan: Plan, by, today=None) -> Plan:
    """报送: only inside the year's window (Asia/Shanghai)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        policy.require_plan_filer(by, plan.department_id)
        if not can_proceed(plan.submit):
            raise InvalidTransition(_(MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("提交")))
        window = PlanWindow.objects.filter(year=plan.year).first()
        if window is None:
            raise InvalidTransition(_(MSG_NO_WINDOW).format(year=plan.year), code="plan_window_closed")
        if not window.opens_on <= today <= window.closes_on:
            raise InvalidTransition(_(MSG_WINDOW).format(year=plan.year, opens=window.opens_on,
                                                          closes=window.closes_on), code="plan_window_closed")
        if not plan.items.exists():
            raise SubmissionRefused(_(MSG_EMPTY), code="invalid", problems=[Problem("items", "required", _(MSG_EMPTY))])
        from_state = plan.state
        plan.submit()
        plan.submitted_at = timezone.now()
        plan.save()
        _event(plan, by, "submit", from_state)
    return plan


def plan_decide(*, plan: Plan, by, decision: str, comment: str = "") -> Plan:
    """The review office approves (the plan's counts become next year's caps, never
    above the year-over-year reduction) or returns it with a comment."""
    if decision not in ("approve", "return"):
        raise SubmissionRefused(_("未知的决定：{d}").format(d=decision), code="invalid")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("department").get(pk=plan.pk)
        policy.require_plan_decider(by, plan)
        if plan.state != PlanState.SUBMITTED:
            raise InvalidTransition(_(MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("审核")))
        if decision == "return" and not comment.strip():
            raise SubmissionRefused(_(MSG_COMMENT), code="comment_required")
        from_state = plan.state
        if decision == "approve":
            plan.approve()
            _apply_caps(plan, by)
        else:
            plan.send_back()
        plan.decided_at = timezone.now()
        plan.save()
        _event(plan, by, decision, from_state, comment)
    return plan


def proposed_caps(plan: Plan) -> dict[str, int]:
    """Per kind: the plan's count, never above floor(last year's actual × (1 − r))."""
    counts = dict(plan.items.values_list("kind").annotate(n=Count("pk")))
    caps = {}
    for kind in Kind.values:
        cap = counts.get(kind, 0)
        last = Quota.objects.filter(department=plan.department, year=plan.year - 1, kind=kind).first()
        if last is not None:
            cap = min(cap, quota_planned_cap(last_year_committed=last.committed + last.flagged,
                                             reduction=float(DEFAULT_REDUCTION)))
        caps[kind] = cap
    return caps


def _apply_caps(plan, by) -> None:
    for kind, cap in proposed_caps(plan).items():
        try:
            quota_set_cap(department=plan.department, year=plan.year, kind=kind, cap=cap, by=by)
        except QuotaError as error:
            raise InvalidTransition(str(error), code=error.code) from None


# --- proposals against the plan -------------------------------------------------

def under_planning(year: int | None) -> bool:
    return year is not None and PlanWindow.objects.filter(year=year).exists()


def match_item(proposal: Proposal) -> PlanItem | None:
    """The approved plan's item this proposal carries out: the one it names, or an
    unused item of its kind in its month (then any month), best title first."""
    year = proposal.quota_year
    free = (PlanItem.objects.filter(plan__department_id=proposal.department_id, plan__year=year,
                                    plan__state=PlanState.APPROVED, kind=proposal.kind)
            .exclude(Q(proposals__state__in=USING) & ~Q(proposals__pk=proposal.pk)))
    items = list(free)  # a department's plan is short: one query, the choice made here
    named = next((item for item in items if item.pk == proposal.planned_item_id), None)
    if named is not None:
        return named
    month = proposal.planned_day.month if proposal.planned_day else None
    candidates = [item for item in items if item.month == month] or items
    if not candidates:
        return None
    title = set(proposal.title)
    return max(candidates, key=lambda item: (len(title & set(item.title)), -item.pk))
