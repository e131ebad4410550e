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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.lifecycle import REVIEW_STATES, STEP_OF_STATE
from approvals.models import SHANGHAI, START_DATED, Proposal, ProposalEvent, State
from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department, Kind, LedgerAction, LedgerEntry, Quota
from quotas.services import ledger_drift, quota_planned_cap

from . import fingerprint, lists, plan_figures

# The kinds every report shows; another kind is shown once some department has a quota for it.
SHOWN_KINDS = (Kind.DOCUMENT, Kind.MEETING)
REVIEW_STEPS = [(STEP_OF_STATE[state], state) for state in REVIEW_STATES]
DONE_STATES = [State.APPROVED, State.COMPLETED]


@dataclass
class KindFigures:
    """One kind (发文 or 会议) of one department.

    Used (已用) counts what was issued: approved (committed), 特事特办 (overridden)
    and confirmed 明减暗增 flags — in this year and, as the baseline, last year.
    A department with no quota last year is new (新增): it has no baseline and
    no target, and stays out of the year-over-year totals.
    """

    kind: str
    has_quota: bool = False
    cap: int = 0
    reserved: int = 0
    committed: int = 0
    overridden: int = 0
    flagged: int = 0
    last_year: int | None = None
    blocked: int = 0
    reduction: Decimal = DEFAULT_REDUCTION

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def used(self) -> int:
        return self.committed + self.overridden + self.flagged

    @property
    def is_new(self) -> bool:
        return self.last_year is None

    @property
    def target(self) -> int | None:
        """压减目标: floor(last year's used × (1 − reduction)); none for a new department."""
        if self.last_year is None:
            return None
        return quota_planned_cap(last_year_committed=self.last_year, reduction=float(self.reduction))

    @property
    def change(self) -> int | None:
        return None if self.last_year is None else self.used - self.last_year

    @property
    def change_display(self) -> str:
        return change_display(self.used, self.last_year)

    @property
    def reduction_achieved(self) -> Decimal | None:
        """The share by which used fell below last year (negative: it grew)."""
        if not self.last_year:
            return None
        return (Decimal(self.last_year - self.used) / self.last_year).quantize(Decimal("0.001"))

    @property
    def passed(self) -> bool:
        return self.has_quota and not self.reasons

    met = passed  # the templates' older name

    @property
    def reasons(self) -> list[str]:
        """Why this kind is 未达标, each in figures; empty when it passed."""
        if not self.has_quota:
            return [f"未设置{self.label}年度总量"]
        reasons = []
        over = self.used - self.cap
        if over > 0:
            causes = [f"特事特办 {self.overridden} 件"] if self.overridden else []
            causes += [f"经确认的明减暗增 {self.flagged} 件"] if self.flagged else []
            reasons.append(f"{'、'.join(causes)}超出总量（超出 {over} 件）" if causes else f"超出总量 {over} 件")
        if self.target is not None and self.used > self.target:
            reasons.append(f"超过压减目标 {self.used - self.target} 件")
        return reasons


def change_display(used: int, last_year: int | None) -> str:
    """较上年: "-1（-20.0%）"; the percentage only when last year had any."""
    if last_year is None:
        return "新增"
    change = used - last_year
    if not last_year:
        return f"{change:+d}"
    return f"{change:+d}（{100 * change / last_year:+.1f}%）"


@dataclass
class TotalFigures:
    """One kind summed over the report's departments. Its target is the sum of
    the departments' targets, its baseline the sum of their last years — both
    over the departments that had a quota last year; and it passed only if
    every department in it passed."""

    kind: str
    rows: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    def _sum(self, name, rows=None) -> int:
        return sum(getattr(k, name) for k in (self.rows if rows is None else rows))

    @property
    def has_quota(self) -> bool:
        return any(k.has_quota for k in self.rows)

    cap = property(lambda self: self._sum("cap"))
    reserved = property(lambda self: self._sum("reserved"))
    committed = property(lambda self: self._sum("committed"))
    overridden = property(lambda self: self._sum("overridden"))
    flagged = property(lambda self: self._sum("flagged"))
    used = property(lambda self: self._sum("used"))
    blocked = property(lambda self: self._sum("blocked"))

    @property
    def compared(self) -> list[KindFigures]:
        return [k for k in self.rows if not k.is_new]

    @property
    def new_count(self) -> int:
        return len(self.rows) - len(self.compared)

    @property
    def last_year(self) -> int | None:
        return self._sum("last_year", self.compared) if self.compared else None

    @property
    def target(self) -> int | None:
        return self._sum("target", self.compared) if self.compared else None

    @property
    def used_compared(self) -> int:
        return self._sum("used", self.compared)

    @property
    def change_display(self) -> str:
        return change_display(self.used_compared, self.last_year)

    @property
    def failed(self) -> list[KindFigures]:
        return [k for k in self.rows if not k.passed]

    @property
    def passed(self) -> bool:
        return bool(self.rows) and not self.failed

    met = passed

    @property
    def reasons(self) -> list[str]:
        return [f"{len(self.failed)} 个部门未达标"] if self.failed else []


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
    registry_number: str = ""

    @property
    def due(self) -> bool:
        """The item's date has passed (its outcome could be recorded)."""
        return self.planned_day is not None and self.planned_day < timezone.localdate()

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

    def kind(self, kind: str):
        if kind not in self.kinds:
            self.kinds[kind] = KindFigures(kind=kind, reduction=self.reduction)
        return self.kinds[kind]

    shown: tuple = SHOWN_KINDS

    @property
    def kind_rows(self) -> list:
        return [self.kind(k) for k in self.shown]

    @property
    def blocked(self) -> int:
        return sum(k.blocked for k in self.kinds.values())

    @property
    def quota_rows(self) -> list:
        return [k for k in self.kind_rows if k.has_quota]

    @property
    def met(self) -> bool:
        return bool(self.quota_rows) and all(k.passed for k in self.quota_rows)

    passed = met

    @property
    def reasons(self) -> list[str]:
        return [f"{k.label}：{reason}" for k in self.quota_rows for reason in k.reasons]

    @property
    def is_new(self) -> bool:
        return all(k.is_new for k in self.quota_rows)

    @property
    def reduction_achieved(self) -> Decimal | None:
        """Ranking key: (last year − used) ÷ last year over this department's compared kinds."""
        compared = [k for k in self.quota_rows if not k.is_new]
        last = sum(k.last_year for k in compared)
        if not last:
            return None
        return (Decimal(last - sum(k.used for k in compared)) / last).quantize(Decimal("0.001"))

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
    generated_at: datetime.datetime  # also 数据截至: the moment the figures were read
    total: Scope
    departments: list
    ledger_totals: list
    drift: list
    fingerprint: str = ""
    blocked_attempts: list = field(default_factory=list)
    released: list = field(default_factory=list)
    not_completed: list = field(default_factory=list)
    burden: dict = field(default_factory=dict)
    flags: dict | None = None
    plans: plan_figures.PlanTable | None = None  # None: the year is not under 计划管理

    @property
    def data_as_of(self) -> datetime.datetime:
        return self.generated_at

    @property
    def provisional(self) -> bool:
        """The year is not over when the figures were read (数据截至 …，年度未结束)."""
        return self.generated_at < year_end(self.year)

    @property
    def ranking(self) -> list:
        """Departments by reduction achieved, most first; new ones (no baseline) last, by code."""
        compared = [d for d in self.departments if d.reduction_achieved is not None]
        rest = [d for d in self.departments if d.reduction_achieved is None]
        compared.sort(key=lambda d: (-d.reduction_achieved, d.department.code))
        return compared + sorted(rest, key=lambda d: d.department.code)

    @property
    def missed(self) -> list[Scope]:
        return [d for d in self.departments if not d.met]

    @property
    def met_count(self) -> int:
        return sum(1 for d in self.departments if d.met)


def year_end(year: int) -> datetime.datetime:
    return datetime.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


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
    shown = tuple(k for k in Kind.values if k in SHOWN_KINDS or total.kinds[k].rows)
    for scope in [total, *scopes.values()]:
        scope.shown = shown
    data = ReportData(
        year=year, reduction=reduction, department=department,
        generated_at=timezone.localtime(now or timezone.now()),
        total=total, departments=list(scopes.values()),
        ledger_totals=_ledger_totals(scopes, year), drift=_drift(scopes, year),
    )
    lists.add_lists(data, scopes)
    data.flags = lists.flag_table(data, scopes)
    data.plans = plan_figures.plan_table(year, scopes, shown)
    data.fingerprint = fingerprint.compute(year=year, department=department, reduction=reduction)
    return data


def _add_quotas(scopes: dict, year: int) -> None:
    rows = Quota.objects.filter(department__in=list(scopes), year__in=[year, year - 1]).values(
        "department_id", "year", "kind", "cap", "reserved", "committed", "overridden", "flagged"
    )
    for row in rows:
        figures = scopes[row["department_id"]].kind(row["kind"])
        if row["year"] == year:
            figures.has_quota = True
            figures.cap, figures.reserved = row["cap"], row["reserved"]
            figures.committed, figures.overridden = row["committed"], row["overridden"]
            figures.flagged = row["flagged"]
        else:  # the baseline counts what was issued, as this year's used does
            figures.last_year = row["committed"] + row["overridden"] + row["flagged"]


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
        "registry_number",
    ]
    for row in sorted(proposals.values(*fields), key=item_order):
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
    return Item(
        pk=row["pk"], kind=row["kind"], title=row["title"], planned_day=planned_day(row), state=row["state"],
        doc_number=row["doc_number"], emergency=row["emergency"], justification=row["justification"],
        estimated_cost=row["estimated_cost"], actual_cost=row["actual_cost"],
        department_name=department_name, registry_number=row.get("registry_number") or "",
    )


def planned_day(row: dict):
    """Proposal.planned_day for a values() row: a meeting's or an inspection's
    Shanghai start date, a document's planned date."""
    start = row["start"]
    return start.astimezone(SHANGHAI).date() if row["kind"] in START_DATED and start else row["planned_date"]


def item_order(row: dict):
    """Date order, the same on every database: (planned day, id)."""
    return (planned_day(row) or datetime.date.min, row["pk"])


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
    """Month-end counters rebuilt from the annual ledger's *_after columns."""
    ends = month_ends(year)
    entries = (
        LedgerEntry.objects.filter(quota__department__in=list(scopes), quota__year=year, month__isnull=True)
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
    for kind in Kind.values:
        total.kinds[kind] = TotalFigures(kind, rows=[s.kind(kind) for s in scopes if s.kind(kind).has_quota])
    for scope in scopes:
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
        # The annual counters' entries; a monthly cap's (issue 16) would count its items twice.
        for row in LedgerEntry.objects.filter(quota__department__in=list(scopes), quota__year=year,
                                              month__isnull=True)
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
