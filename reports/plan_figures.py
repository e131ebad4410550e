"""计划执行 (plan vs actual) in the year-end report: per department and kind, the
items of its approved annual plan, the items actually approved (approved or
completed, 特事特办 included), of which 计划外 (carrying out no planned item,
so decided 一事一议), and the planned items no approved item carried out.

Shown for a year under 计划管理 (one with a filing window, or an approved plan);
for any other year the report says it was not. The figures are facts, not a
verdict: they do not change whether a department passed (达标).
"""

from dataclasses import dataclass, field

from approvals.models import Plan, PlanItem, PlanState, PlanWindow, Proposal
from quotas.models import Kind

from .lists import DONE_STATES


@dataclass
class PlanLine:
    """One kind of one department (department None: the total over them)."""

    kind: str
    department: object = None
    has_plan: bool = False
    planned: int = 0
    actual: int = 0
    unplanned: int = 0
    not_carried_out: int = 0

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def carried_out(self) -> int:
        """Planned items an approved item carried out."""
        return self.planned - self.not_carried_out


@dataclass
class PlanTable:
    rows: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    departments_with_plan: int = 0
    departments_without_plan: list = field(default_factory=list)

    @property
    def by_department(self) -> list[tuple]:
        """(department, its lines) in the rows' order, for one cell spanning a department's kinds."""
        groups = {}
        for line in self.rows:
            groups.setdefault(line.department.pk, (line.department, []))[1].append(line)
        return list(groups.values())


def under_planning(year: int, departments) -> bool:
    return (PlanWindow.objects.filter(year=year).exists()
            or Plan.objects.filter(year=year, department__in=departments, state=PlanState.APPROVED).exists())


def plan_table(year: int, scopes: dict, kinds) -> PlanTable | None:
    """The plan-vs-actual table over `scopes` (department pk → Scope) for the
    shown `kinds`, or None when `year` is not under 计划管理."""
    if not under_planning(year, list(scopes)):
        return None
    with_plan = set(Plan.objects.filter(year=year, department__in=list(scopes), state=PlanState.APPROVED)
                    .values_list("department_id", flat=True))
    lines = {(pk, kind): PlanLine(kind=kind, department=scope.department, has_plan=pk in with_plan)
             for pk, scope in scopes.items() for kind in kinds}
    done = Proposal.objects.filter(quota__year=year, quota__department__in=list(scopes), state__in=DONE_STATES)
    carried = set()
    for department_id, kind, item_id in done.values_list("quota__department_id", "kind", "planned_item_id"):
        line = lines.get((department_id, kind))
        if line is None:
            continue
        line.actual += 1
        if item_id is None:
            line.unplanned += 1
        else:
            carried.add(item_id)
    items = PlanItem.objects.filter(plan__year=year, plan__department__in=with_plan, plan__state=PlanState.APPROVED)
    for item_id, department_id, kind in items.values_list("pk", "plan__department_id", "kind"):
        line = lines.get((department_id, kind))
        if line is None:
            continue
        line.planned += 1
        line.not_carried_out += item_id not in carried
    table = PlanTable(rows=[lines[pk, kind] for pk in scopes for kind in kinds],
                      departments_with_plan=len(with_plan),
                      departments_without_plan=[s.department for pk, s in scopes.items() if pk not in with_plan])
    table.totals = [_total(kind, [line for line in table.rows if line.kind == kind]) for kind in kinds]
    return table


def _total(kind: str, lines: list) -> PlanLine:
    total = PlanLine(kind=kind, has_plan=any(line.has_plan for line in lines))
    for name in ("planned", "actual", "unplanned", "not_carried_out"):
        setattr(total, name, sum(getattr(line, name) for line in lines))
    return total
