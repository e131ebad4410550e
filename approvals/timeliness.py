"""办理时限 as the review office reads them: the current step's limit of one item,
and the overdue counts per department (items waiting now) and per person who
decides (decisions made after their step's limit, from the audit trail).

The limits are settings.JIANFU["STEP_DAYS"] in working days (quotas.workdays,
holidays as data), counted as approvals.todo counts them for the to-do.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from quotas.workdays import add_working_days, calendar

from . import todo
from .lifecycle import DECISIONS, TASK_STEP, State
from .models import SHANGHAI, Proposal, ProposalEvent
from .selectors import year_bounds

WAITING_STATES = (State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW, State.RETURNED)
STEP_OF_DECISION = {"head": "head", "office": "office", "leader": "leader"}


def item_for(proposal: Proposal) -> todo.Item | None:
    """The waiting step of `proposal` with its due date, or None when nothing waits."""
    if proposal.state not in TASK_STEP:
        return None
    annotated = Proposal.objects.filter(pk=proposal.pk).annotate(entered_at=todo._entered_state())
    found = todo.items(annotated)
    return found[0] if found else None


def department_counts(today: datetime.date | None = None) -> list[dict]:
    """Per department: items waiting at a step now, and how many of them are past
    the limit; most overdue first."""
    today = today or timezone.localdate()
    waiting = (Proposal.objects.filter(state__in=WAITING_STATES).annotate(entered_at=todo._entered_state())
               .select_related("department"))
    rows = {}
    for item in todo.items(waiting):
        department = item.proposal.department
        row = rows.setdefault(department.pk, {"department": department, "waiting": 0, "overdue": 0})
        row["waiting"] += 1
        row["overdue"] += item.due < today
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["waiting"], r["department"].code))


def decider_counts(year: int) -> list[dict]:
    """Per person who decided in `year`: decisions, and how many came after the
    step's limit (from when the item reached the step). One query for the trail."""
    first, after = year_bounds(year)
    days = settings.JIANFU["STEP_DAYS"]
    touched = ProposalEvent.objects.filter(at__gte=first, at__lt=after).values("proposal_id")
    events = (ProposalEvent.objects.filter(proposal_id__in=touched)
              .select_related("actor").order_by("proposal_id", "at", "id"))
    exceptions = calendar(first.date() - datetime.timedelta(days=60), after.date() + datetime.timedelta(days=60))
    rows, began, previous = {}, None, None
    for event in events:
        if previous is None or previous.proposal_id != event.proposal_id:
            began = None
        if (began is not None and event.step in STEP_OF_DECISION and event.action in DECISIONS
                and first <= event.at < after):
            start = began.astimezone(SHANGHAI).date()
            due = add_working_days(start, days[STEP_OF_DECISION[event.step]], exceptions)
            row = rows.setdefault(event.actor_id, {"actor": event.actor, "decided": 0, "late": 0})
            row["decided"] += 1
            row["late"] += event.at.astimezone(SHANGHAI).date() > due
        began, previous = event.at, event
    return sorted(rows.values(), key=lambda r: (-r["late"], -r["decided"], r["actor"].username))


def totals(rows: list[dict], *names) -> dict:
    summed = defaultdict(int)
    for row in rows:
        for name in names:
            summed[name] += row[name]
    return dict(summed)
