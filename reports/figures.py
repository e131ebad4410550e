"""The figures of the year-end compliance report, computed from the database.

Everything is read in a handful of bulk queries and grouped by department in
Python, so that a report over hundreds of departments costs the same number of
queries as one over a single department.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from approvals.lifecycle import REVIEW_STATES, STEP_OF_STATE
from approvals.models import SHANGHAI, Proposal, ProposalEvent, State
from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department, Kind, LedgerAction, LedgerEntry, Quota
from quotas.services import ledger_drift, quota_planned_cap

REVIEW_STEPS = [(STEP_OF_STATE[state], state) for state in REVIEW_STATES]
DONE_STATES = [State.APPROVED, State.COMPLETED]


@dataclass
class KindFigures:
    """One kind (发文 or 会议) of one department, or summed over many."""

    kind: str
    has_quota: bool = False
    cap: int = 0
    reserved: int = 0
    committed: int = 0
    overridden: int = 0
    prev_committed: int | None = None
    blocked: int = 0
    reduction: Decimal = DEFAULT_REDUCTION

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def used(self) -> int:
        return self.committed + self.overridden

    @property
    def reduction_limit(self) -> int | None:
        """年度硬性下降指标: floor(previous committed × (1 − reduction))."""
        if self.prev_committed is None:
            return None
        return quota_planned_cap(last_year_committed=self.prev_committed, reduction=float(self.reduction))

    @property
    def change(self) -> int | None:
        return None if self.prev_committed is None else self.used - self.prev_committed

    @property
    def change_display(self) -> str:
        """较上年: "-1（-20.0%）"; the percentage only when last year had any."""
        if self.prev_committed is None:
            return "—"
        change = self.used - self.prev_committed
        if not self.prev_committed:
            return f"{change:+d}"
        return f"{change:+d}（{100 * change / self.prev_committed:+.1f}%）"

    @property
    def met(self) -> bool:
        """达标: used ≤ cap and used ≤ previous committed × (1 − reduction)."""
        if not self.has_quota or self.used > self.cap:
            return False
        limit = self.reduction_limit
        return limit is None or self.used <= limit

    def add(self, other: "KindFigures") -> None:
        self.has_quota = self.has_quota or other.has_quota
        for name in ("cap", "reserved", "committed", "overridden", "blocked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.prev_committed is not None:
            self.prev_committed = (self.prev_committed or 0) + other.prev_committed


@dataclass
class Item:
    """An approved or completed proposal, as the report lists it."""

    pk: int
    kind: str
    title: str
    planned_day: datetime.date | None
    state: str
    doc_number: str
    emergency: bool
    justification: str
    estimated_cost: Decimal | None
    actual_cost: Decimal | None
    department_name: str = ""

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def state_label(self) -> str:
        return State(self.state).label


@dataclass
class Scope:
    """Figures for one department, or for the whole report (department None)."""

    department: Department | None
    reduction: Decimal
    kinds: dict = field(default_factory=dict)
    escalations: int = 0
    escalation_outcomes: Counter = field(default_factory=Counter)
    overrides: list = field(default_factory=list)
    estimated_cost: Decimal = Decimal("0.00")
    actual_cost: Decimal = Decimal("0.00")
    review_seconds: dict = field(default_factory=lambda: defaultdict(list))
    items: list = field(default_factory=list)
    months: dict = field(default_factory=dict)
    chart: str = ""

    def kind(self, kind: str) -> KindFigures:
        if kind not in self.kinds:
            self.kinds[kind] = KindFigures(kind=kind, reduction=self.reduction)
        return self.kinds[kind]

    @property
    def kind_rows(self) -> list[KindFigures]:
        return [self.kind(k) for k in Kind.values]

    @property
    def blocked(self) -> int:
        return sum(k.blocked for k in self.kinds.values())

    @property
    def met(self) -> bool:
        with_quota = [k for k in self.kinds.values() if k.has_quota]
        return bool(with_quota) and all(k.met for k in with_quota)

    @property
    def missed_kinds(self) -> list[KindFigures]:
        return [k for k in self.kind_rows if k.has_quota and not k.met]

    @property
    def outcome_rows(self) -> list[tuple[str, int]]:
        """Escalated items by where they stand now."""
        labels = {State.LEADER_REVIEW: _("尚待领导小组审批")}
        return [
            (labels.get(s, State(s).label), n) for s in State.values
            if (n := self.escalation_outcomes.get(s))
        ]

    @property
    def review_rows(self) -> list[dict]:
        rows = []
        for step, _state in REVIEW_STEPS:
            seconds = self.review_seconds.get(step, [])
            average = sum(seconds) / len(seconds) if seconds else None
            rows.append({
                "label": ProposalEvent.Step(step).label, "count": len(seconds),
                "hours": None if average is None else f"{average / 3600:.1f}",
            })
        return rows


@dataclass
class ReportData:
    year: int
    reduction: Decimal
    department: Department | None
    generated_at: datetime.datetime
    total: Scope
    departments: list
    ledger_totals: list
    drift: list

    @property
    def missed(self) -> list[Scope]:
        return [d for d in self.departments if not d.met]

    @property
    def met_count(self) -> int:
        return sum(1 for d in self.departments if d.met)


def scope_departments(year: int, department: Department | None = None) -> list[Department]:
    """The departments a report covers: the one asked for, or every one with a quota that year."""
    if department is not None:
        return [department]
    return list(Department.objects.filter(quotas__year=year).distinct().order_by("code"))


def collect(*, year: int, department: Department | None = None,
            reduction: Decimal = DEFAULT_REDUCTION, now=None) -> ReportData:
    """Everything the report shows, for `year` and one or all departments."""
    from django.utils import timezone

    departments = scope_departments(year, department)
    scopes = {d.pk: Scope(department=d, reduction=reduction) for d in departments}
    _add_quotas(scopes, year)
    _add_blocked(scopes, year)
    _add_proposals(scopes, year)
    _add_review_times(scopes, year)
    _add_months(scopes, year)
    total = _sum_scopes(list(scopes.values()), reduction)
    return ReportData(
        year=year, reduction=reduction, department=department,
        generated_at=timezone.localtime(now or timezone.now()),
        total=total, departments=list(scopes.values()),
        ledger_totals=_ledger_totals(scopes, year), drift=_drift(scopes, year),
    )


def _add_quotas(scopes: dict, year: int) -> None:
    rows = Quota.objects.filter(department__in=list(scopes), year__in=[year, year - 1]).values(
        "department_id", "year", "kind", "cap", "reserved", "committed", "overridden"
    )
    for row in rows:
        figures = scopes[row["department_id"]].kind(row["kind"])
        if row["year"] == year:
            figures.has_quota = True
            figures.cap, figures.reserved = row["cap"], row["reserved"]
            figures.committed, figures.overridden = row["committed"], row["overridden"]
        else:
            figures.prev_committed = row["committed"]


def _add_blocked(scopes: dict, year: int) -> None:
    rows = (
        LedgerEntry.objects.filter(
            quota__department__in=list(scopes), quota__year=year, action=LedgerAction.BLOCKED
        )
        .values("quota__department_id", "quota__kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        scopes[row["quota__department_id"]].kind(row["quota__kind"]).blocked = row["n"]


def _proposals(scopes: dict, year: int):
    """The proposals counted against these departments' quotas of `year`."""
    return Proposal.objects.filter(quota__year=year, quota__department__in=list(scopes))


def _add_proposals(scopes: dict, year: int) -> None:
    proposals = _proposals(scopes, year)
    escalated = set(
        ProposalEvent.objects.filter(proposal__in=proposals, to_state=State.LEADER_REVIEW)
        .values_list("proposal_id", flat=True)
    )
    fields = [
        "pk", "kind", "title", "planned_date", "start", "state", "doc_number", "emergency",
        "justification", "estimated_cost", "actual_cost", "hold", "quota__department_id",
    ]
    for row in proposals.order_by("planned_date", "start", "pk").values(*fields):
        scope = scopes[row["quota__department_id"]]
        if row["pk"] in escalated:
            scope.escalations += 1
            scope.escalation_outcomes[row["state"]] += 1
        item = _item(row, scope.department.name)
        if row["hold"] == "overridden":
            scope.overrides.append(item)
        if row["state"] in DONE_STATES:
            scope.items.append(item)
            if row["kind"] == Kind.MEETING:
                scope.estimated_cost += row["estimated_cost"] or 0
                scope.actual_cost += row["actual_cost"] or 0


def _item(row: dict, department_name: str) -> Item:
    start = row["start"]
    day = start.astimezone(SHANGHAI).date() if row["kind"] == Kind.MEETING and start else row["planned_date"]
    return Item(
        pk=row["pk"], kind=row["kind"], title=row["title"], planned_day=day, state=row["state"],
        doc_number=row["doc_number"], emergency=row["emergency"], justification=row["justification"],
        estimated_cost=row["estimated_cost"], actual_cost=row["actual_cost"],
        department_name=department_name,
    )


def _add_review_times(scopes: dict, year: int) -> None:
    """Time each review step took: from the event that put the proposal into
    the step's state to the event that moved it out, by that step's decider."""
    step_of_state = {state: step for step, state in REVIEW_STEPS}
    events = (
        ProposalEvent.objects.filter(proposal__in=_proposals(scopes, year))
        .order_by("proposal_id", "at", "id")
        .values_list("proposal_id", "proposal__quota__department_id", "step", "from_state",
                     "to_state", "at")
    )
    entered, current = {}, None
    for proposal_id, department_id, step, from_state, to_state, at in events:
        if proposal_id != current:
            entered, current = {}, proposal_id
        if step_of_state.get(from_state) == step and from_state in entered:
            seconds = (at - entered.pop(from_state)).total_seconds()
            scopes[department_id].review_seconds[step].append(seconds)
        if to_state in step_of_state:
            entered[to_state] = at


def month_ends(year: int) -> list[datetime.datetime]:
    """The first instant after each month of `year`, in Asia/Shanghai."""
    return [
        datetime.datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=SHANGHAI) for m in range(1, 13)
    ]


def _add_months(scopes: dict, year: int) -> None:
    """Month-end counters rebuilt from the ledger's *_after columns."""
    ends = month_ends(year)
    entries = (
        LedgerEntry.objects.filter(quota__department__in=list(scopes), quota__year=year)
        .order_by("quota_id", "id")
        .values_list("quota__department_id", "quota__kind", "created_at", "cap_after",
                     "reserved_after", "committed_after", "overridden_after")
    )
    series = {}
    for department_id, kind, created_at, *counters in entries:
        points = series.setdefault((department_id, kind), [(0, 0, 0, 0)] * 12)
        for month, end in enumerate(ends):
            if created_at < end:
                points[month] = tuple(counters)
    for (department_id, kind), points in series.items():
        scopes[department_id].months[kind] = [
            {"month": m + 1, "cap": p[0], "reserved": p[1], "committed": p[2], "overridden": p[3]}
            for m, p in enumerate(points)
        ]


def _sum_scopes(scopes: list, reduction: Decimal) -> Scope:
    total = Scope(department=None, reduction=reduction)
    for scope in scopes:
        for kind, figures in scope.kinds.items():
            total.kind(kind).add(figures)
        total.escalations += scope.escalations
        total.escalation_outcomes.update(scope.escalation_outcomes)
        total.overrides.extend(scope.overrides)
        total.estimated_cost += scope.estimated_cost
        total.actual_cost += scope.actual_cost
        for step, seconds in scope.review_seconds.items():
            total.review_seconds[step].extend(seconds)
    return total


def _ledger_totals(scopes: dict, year: int) -> list[dict]:
    rows = {
        row["action"]: row
        for row in LedgerEntry.objects.filter(quota__department__in=list(scopes), quota__year=year)
        .values("action")
        .annotate(
            n=Count("id"), reserved=Sum("delta_reserved"), committed=Sum("delta_committed"),
            overridden=Sum("delta_overridden"),
        )
    }
    return [
        {"label": label, "n": rows.get(action, {}).get("n", 0),
         "reserved": rows.get(action, {}).get("reserved") or 0,
         "committed": rows.get(action, {}).get("committed") or 0,
         "overridden": rows.get(action, {}).get("overridden") or 0}
        for action, label in LedgerAction.choices
    ]


def _drift(scopes: dict, year: int) -> list[dict]:
    return [row for row in ledger_drift(year=year) if row["quota"].department_id in scopes]
