"""年度计划 (计划管理): a department files next year's planned documents (立项),
meetings and inspections in the window the administrator sets; the review
office approves or returns the plan (its own small flow, the same policy and an
audit trail). An approved plan's count per kind becomes the department's cap,
never above what plan_quotas' year-over-year reduction allows. In a year under
计划管理 (one with a PlanWindow), a proposal that matches no planned item is
计划外 and escalates (一事一议).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department, Kind, Quota
from quotas.services import QuotaError, quota_planned_cap, quota_set_cap

from . import policy
from .errors import InvalidTransition, SubmissionRefused
from .lifecycle import LIVE_STATES
from .models import PLAN_EDITABLE_STATES, Plan, PlanEvent, PlanItem, PlanState, PlanWindow, Proposal
from .problems import Problem

MSG_WINDOW = gettext_noop("{year} 年度计划的填报期为 {opens} 至 {closes}，现在不能提交。")
MSG_NO_WINDOW = gettext_noop("尚未设置 {year} 年度计划的填报期，请联系系统管理员。")
MSG_WRONG_STATE = gettext_noop("该年度计划当前状态为“{state}”，不能{action}。")
MSG_EMPTY = gettext_noop("年度计划至少要有一项。")
MSG_COMMENT = gettext_noop("退回时请写明意见。")
MAX_ITEMS = 500  # items in one department's plan for a year (page and API)


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
        if plan.state not in PLAN_EDITABLE_STATES:
            raise InvalidTransition(_(MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("修改")))
        plan.items.all().delete()
        PlanItem.objects.bulk_create([PlanItem(plan=plan, **item) for item in items])
    return plan


def window_refusal(year: int, today) -> str | None:
    """Why `year`'s plan cannot be filed on `today` (translated), or None inside its window."""
    window = PlanWindow.objects.filter(year=year).first()
    if window is None:
        return _(MSG_NO_WINDOW).format(year=year)
    if not window.opens_on <= today <= window.closes_on:
        return _(MSG_WINDOW).format(year=year, opens=window.opens_on, closes=window.closes_on)
    return None


def require_open_window(year: int, today) -> None:
    if (reason := window_refusal(year, today)) is not None:
        raise InvalidTransition(reason, code="plan_window_closed")


def filing_year(today) -> int:
    """The year whose filing window is open on `today`, else next year."""
    window = PlanWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("year").first()
    return window.year if window else today.year + 1


def plan_submit(*, plan: Plan, by, today=None) -> Plan:
    """报送: only inside the year's window (Asia/Shanghai)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        policy.require_plan_filer(by, plan.department_id)
        if not can_proceed(plan.submit):
            raise InvalidTransition(_(MSG_WRONG_STATE).format(state=plan.get_state_display(), action=_("提交")))
        require_open_window(plan.year, today)
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


@dataclass
class CapLine:
    """One kind of a plan: its planned items, last year's actual (committed +
    confirmed flags, as plan_quotas counts it), the ceiling floor(actual × (1 − r))
    and the cap approval sets — the planned count, never above the ceiling."""

    kind: str
    planned: int
    last_year: int | None
    ceiling: int | None

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def cap(self) -> int:
        return self.planned if self.ceiling is None else min(self.planned, self.ceiling)

    @property
    def cut(self) -> bool:
        return self.cap < self.planned


def cap_lines(department, year: int, counts: dict[str, int]) -> list[CapLine]:
    """Per kind, what `counts` planned items would set as `year`'s caps."""
    last = {q.kind: q.committed + q.flagged for q in Quota.objects.filter(department=department, year=year - 1)}
    return [CapLine(kind=kind, planned=counts.get(kind, 0), last_year=last.get(kind),
                    ceiling=None if kind not in last else quota_planned_cap(
                        last_year_committed=last[kind], reduction=float(DEFAULT_REDUCTION)))
            for kind in Kind.values]


def item_counts(plan: Plan | None) -> dict[str, int]:
    if plan is None:
        return {}
    return dict(plan.items.values_list("kind").annotate(n=Count("pk")))


def proposed_caps(plan: Plan) -> dict[str, int]:
    """Per kind: the plan's count, never above the year-over-year ceiling."""
    return {line.kind: line.cap for line in cap_lines(plan.department, plan.year, item_counts(plan))}


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
            .exclude(Q(proposals__state__in=LIVE_STATES) & ~Q(proposals__pk=proposal.pk)))
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


# --- reading plans (the pages) ----------------------------------------------------

# The office's list: what waits for it first, then what is still with the departments.
LIST_ORDER = [PlanState.SUBMITTED, PlanState.RETURNED, PlanState.DRAFT, PlanState.APPROVED]


@dataclass
class PlanRow:
    department: Department
    plan: Plan | None
    counts: dict

    @property
    def kind_counts(self) -> list[tuple[str, int]]:
        return [(label, self.counts.get(kind, 0)) for kind, label in Kind.choices]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def window_of(year: int) -> PlanWindow | None:
    return PlanWindow.objects.filter(year=year).first()


def _with_counts(found):
    return found.annotate(**{f"n_{kind}": Count("items", filter=Q(items__kind=kind)) for kind in Kind.values})


def _row(department, plan) -> PlanRow:
    counts = {kind: getattr(plan, f"n_{kind}") for kind in Kind.values} if plan else {}
    return PlanRow(department=department, plan=plan, counts=counts)


def plan_overview(year: int) -> list[PlanRow]:
    """Every department that issues proposals (or has a plan) for `year`: submitted
    plans first (oldest first), then returned, drafts, approved, and those not filed."""
    found = {p.department_id: p for p in _with_counts(Plan.objects.filter(year=year))}
    departments = Department.objects.filter(Q(issues_proposals=True) | Q(pk__in=list(found))).order_by("code")
    rows = [_row(d, found.get(d.pk)) for d in departments]

    def order(row):
        if row.plan is None:
            return (len(LIST_ORDER), "", row.department.code)
        submitted = row.plan.submitted_at.isoformat() if row.plan.submitted_at else ""
        return (LIST_ORDER.index(row.plan.state), submitted, row.department.code)

    return sorted(rows, key=order)


def department_plans(department_id) -> list[PlanRow]:
    """A department's plans, newest year first."""
    found = _with_counts(Plan.objects.filter(department_id=department_id).select_related("department"))
    return [_row(p.department, p) for p in found.order_by("-year")]
