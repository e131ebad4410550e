"""What `manage.py verify_state` checks: the engine's tasks and the quota
counters agree with the proposals.

verify_ledger proves the counters equal their ledger; it cannot see a task
cancelled behind the services' back (issue 10, defect 7: the proposal stayed
in review, its slot reserved, with nobody able to act on it) or a counter that
moved together with its ledger entry but without a proposal holding it.
"""

from collections import Counter, defaultdict

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from quotas.models import MonthlyQuota, Quota
from quotas.services import HELD_COUNTERS

from .lifecycle import NODE_OF_STATE, State
from .models import Hold, Proposal

# States whose slot the lifecycle has released (or never took).
RELEASED_STATES = (State.DRAFT, State.REJECTED, State.WITHDRAWN, State.CANCELLED)


def state_problems() -> list[str]:
    """Every disagreement found, one line each; empty when all is consistent."""
    return [*task_problems(), *holding_problems()]


def task_problems() -> list[str]:
    """Each open state (and `approved`) has exactly one open human task, at the
    node that holds that state's step; every other state has none."""
    from .flows import ProposalFlow

    open_nodes = defaultdict(list)
    for proposal_id, node in Task.objects.filter(
        process__flow_class=ProposalFlow,
        process__artifact_content_type__model="proposal",
        flow_task_type="HUMAN",
        status__in=(STATUS.NEW, STATUS.ASSIGNED),
    ).values_list("process__artifact_object_id", "flow_task"):
        open_nodes[proposal_id].append(node.name)

    problems = []
    for pk, state in Proposal.objects.order_by("pk").values_list("pk", "state"):
        found = sorted(open_nodes.pop(pk, []))
        expected = [NODE_OF_STATE[state]] if state in NODE_OF_STATE else []
        if found != expected:
            problems.append(
                f"TASK proposal #{pk} ({state}): open tasks {found or 'none'}, "
                f"expected {expected or 'none'}"
            )
    for pk, nodes in sorted(open_nodes.items()):
        problems.append(f"TASK proposal #{pk} does not exist but has open tasks {sorted(nodes)}")
    return problems


def holding_problems() -> list[str]:
    """Each quota counter equals the number of proposals holding a slot of it,
    and no proposal in a released state holds one."""
    rows = list(Proposal.objects.exclude(hold=Hold.NONE).values_list("pk", "state", "hold", "quota_id"))
    problems = [
        f"HOLD proposal #{pk} ({state}) still holds a {hold} slot"
        for pk, state, hold, _ in rows if state in RELEASED_STATES
    ]
    held = Counter((quota_id, hold) for _, _, hold, quota_id in rows)
    # Slots held in parent departments' quotas (the city's cap) move with `hold`.
    held.update(Proposal.parent_quotas.through.objects.exclude(proposal__hold=Hold.NONE)
                .values_list("quota_id", "proposal__hold"))
    for quota in Quota.objects.select_related("department").order_by("year", "department__code", "kind"):
        for counter in HELD_COUNTERS:
            holders = held.get((quota.pk, counter), 0)
            if getattr(quota, counter) != holders:
                problems.append(
                    f"COUNT {quota.department.code} {quota.year} {quota.kind} {counter}: "
                    f"counter {getattr(quota, counter)} != {holders} proposals holding it"
                )
    return problems + monthly_holding_problems()


def monthly_holding_problems() -> list[str]:
    """The same for the monthly caps (approvals.monthly): each month's counters
    equal the proposals holding a slot of it in that counter."""
    rows = list(Proposal.objects.exclude(monthly_hold=Hold.NONE).values_list("pk", "state", "monthly_hold"))
    problems = [f"HOLD proposal #{pk} ({state}) still holds a monthly {hold} slot"
                for pk, state, hold in rows if state in RELEASED_STATES]
    held = Counter(Proposal.monthly_quotas.through.objects.exclude(proposal__monthly_hold=Hold.NONE)
                   .values_list("monthlyquota_id", "proposal__monthly_hold"))
    months = MonthlyQuota.objects.select_related("quota__department").order_by(
        "quota__year", "quota__department__code", "quota__kind", "month")
    for month in months:
        for counter in HELD_COUNTERS:
            holders = held.get((month.pk, counter), 0)
            if getattr(month, counter) != holders:
                quota = month.quota
                problems.append(
                    f"COUNT {quota.department.code} {quota.year} {quota.kind} month {month.month} {counter}: "
                    f"counter {getattr(month, counter)} != {holders} proposals holding it"
                )
    return problems
