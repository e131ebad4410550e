"""A province's worth of data for benchmarks and scale tests, through bulk paths.

`build()` makes N issuing departments under one city, each with a clerk and a
head, quotas for the years asked, and proposals spread over every state with
their audit rows and ledger entries — counters equal to their ledger, so
verify_ledger is clean. Nothing here goes through HTTP or the services: it is
fast because it writes rows in bulk, and only for measuring reads.
"""

import datetime
import itertools
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from quotas.models import Department, Kind, LedgerAction, LedgerEntry, Level, Quota, Role, User
from quotas.roles import ensure_roles

from .lifecycle import Action, State, Step
from .models import SHANGHAI, Hold, Proposal, ProposalEvent

# How a department's proposals are spread over states (weights).
STATES = [(State.DRAFT, 8), (State.HEAD_REVIEW, 6), (State.OFFICE_REVIEW, 8), (State.LEADER_REVIEW, 2),
          (State.RETURNED, 4), (State.APPROVED, 20), (State.COMPLETED, 40), (State.REJECTED, 5),
          (State.WITHDRAWN, 4), (State.CANCELLED, 3)]
HOLD_OF = {State.HEAD_REVIEW: Hold.RESERVED, State.OFFICE_REVIEW: Hold.RESERVED,
           State.LEADER_REVIEW: Hold.RESERVED, State.RETURNED: Hold.RESERVED,
           State.APPROVED: Hold.COMMITTED, State.COMPLETED: Hold.COMMITTED}
STEP_INTO = {State.HEAD_REVIEW: (Step.CLERK, Action.SUBMIT), State.OFFICE_REVIEW: (Step.HEAD, Action.APPROVE),
             State.LEADER_REVIEW: (Step.OFFICE, Action.ESCALATE), State.RETURNED: (Step.OFFICE, Action.RETURN),
             State.APPROVED: (Step.OFFICE, Action.APPROVE), State.COMPLETED: (Step.CLERK, Action.COMPLETE),
             State.REJECTED: (Step.OFFICE, Action.REJECT), State.WITHDRAWN: (Step.CLERK, Action.WITHDRAW),
             State.CANCELLED: (Step.CLERK, Action.CANCEL)}


def build(*, departments: int, proposals: int, years: int = 1, seed: int = 2026, password: str | None = None):
    """Returns the city department. Users are scale_clerk_N / scale_head_N."""
    rng = random.Random(seed)
    ensure_roles()
    this_year = timezone.localdate().year
    with transaction.atomic():
        city = Department.objects.create(code="SCALE-CITY", name="规模测试市", level=Level.CITY,
                                         issues_proposals=False)
        depts = Department.objects.bulk_create([
            Department(code=f"SCALE-{n:04d}", name=f"规模测试部门{n}", level=Level.CITY, parent=city)
            for n in range(departments)])
        users = _users(depts, password)
        per_quota = max(1, proposals // (departments * years * 2))
        quotas = Quota.objects.bulk_create([
            Quota(department=d, year=this_year - y, kind=kind, cap=per_quota * 2)
            for d in depts for y in range(years) for kind in Kind.values])
        made = _proposals(rng, quotas, users, proposals)
        _ledger(quotas, made)
    return city


def _users(depts, password):
    groups = {role: Group.objects.get(name=role) for role in (Role.CLERK, Role.HEAD)}
    users = User.objects.bulk_create([
        User(username=f"scale_{role}_{n}", department=d, last_name="测", first_name=f"{role}{n}")
        for n, d in enumerate(depts) for role in (Role.CLERK, Role.HEAD)])
    if password:
        for user in users:
            user.set_password(password)
        User.objects.bulk_update(users, ["password"])
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=u.pk, group_id=groups[Role.CLERK if "clerk" in u.username
                                                                      else Role.HEAD].pk) for u in users])
    return {d.pk: (users[2 * i], users[2 * i + 1]) for i, d in enumerate(depts)}


def _proposals(rng, quotas, users, total):
    states = [s for s, weight in STATES for _ in range(weight)]
    counter = itertools.count(1)
    rows = []
    for quota in itertools.islice(itertools.cycle(quotas), total):
        n = next(counter)
        state = rng.choice(states)
        clerk = users[quota.department_id][0]
        day = datetime.date(quota.year, 1, 1) + datetime.timedelta(days=rng.randrange(360))
        start = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
        hold = HOLD_OF.get(state, Hold.NONE)
        rows.append(Proposal(
            kind=quota.kind, department_id=quota.department_id, created_by=clerk,
            title=f"关于做好第{n}项重点工作的{'通知' if quota.kind == Kind.DOCUMENT else '推进会'}",
            necessity="规模测试。", target_levels=["township"], state=state, hold=hold,
            quota=quota if hold != Hold.NONE else None,
            planned_date=day if quota.kind == Kind.DOCUMENT else None,
            start=start if quota.kind == Kind.MEETING else None,
            end=start + datetime.timedelta(hours=2) if quota.kind == Kind.MEETING else None,
            doc_type="notice" if quota.kind == Kind.DOCUMENT else "",
            meeting_format="video" if quota.kind == Kind.MEETING else "", meeting_class=3,
            attendees_city=10, actual_attendees=10 if state == State.COMPLETED else None,
        ))
    made = Proposal.objects.bulk_create(rows, batch_size=2000)
    events = []
    for p in made:
        events.append(ProposalEvent(proposal=p, actor_id=p.created_by_id, step=Step.CLERK, action=Action.CREATE,
                                    from_state=State.DRAFT, to_state=State.DRAFT))
        if p.state != State.DRAFT:
            step, action = STEP_INTO[p.state]
            events.append(ProposalEvent(proposal=p, actor_id=p.created_by_id, step=step, action=action,
                                        from_state=State.OFFICE_REVIEW, to_state=p.state))
    ProposalEvent.objects.bulk_create(events, batch_size=5000)
    return made


def _ledger(quotas, made):
    """One reserve entry per held slot (and a commit for committed ones), with
    running *_after columns; the counters are set to what the entries add up to."""
    by_quota = {q.pk: q for q in quotas}
    entries = []
    for p in made:
        if p.hold == Hold.NONE:
            continue
        q = by_quota[p.quota_id]
        q.reserved += 1
        entries.append(_entry(q, p, LedgerAction.RESERVE, reserved=1))
        if p.hold == Hold.COMMITTED:
            q.reserved -= 1
            q.committed += 1
            entries.append(_entry(q, p, LedgerAction.COMMIT, reserved=-1, committed=1))
    for q in quotas:
        q.cap = max(q.cap, q.reserved + q.committed)
    Quota.objects.bulk_update(quotas, ["cap", "reserved", "committed"], batch_size=2000)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)


def _entry(q, p, action, *, reserved=0, committed=0):
    return LedgerEntry(quota_id=q.pk, action=action, source=p, delta_reserved=reserved,
                       delta_committed=committed, cap_after=q.cap, reserved_after=q.reserved,
                       committed_after=q.committed, overridden_after=0)
