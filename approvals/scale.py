"""A province's worth of data for benchmarks and scale tests, through bulk paths.

`build()` makes N issuing departments under one city, each with a clerk and a
head, a review office with two reviewers, a leading group with a leader, an
auditor, quotas for each of the years asked (caps falling year over year), and
proposals spread over those years and every state with what the services would
have left behind: the audit trail with its timestamps, the engine's process and
tasks (the open one at the item's step, so the to-do and verify_state see it),
ledger entries in time order with their running *_after columns, 减负备案号 for
approved items, costs for completed meetings and a few blocked submissions.
Counters equal their ledger and the slots held, so verify_ledger and
verify_state are clean.

Nothing here goes through HTTP or the services: it is fast because it writes
rows in bulk, and it is only for measuring reads.
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from quotas.models import Department, Kind, LedgerAction, LedgerEntry, Level, Quota, Role, User
from quotas.roles import ensure_roles

from . import policy
from .lifecycle import NODE_OF_STATE, STEP_OF_STATE, Action, State, Step
from .models import SHANGHAI, Hold, Proposal, ProposalEvent, RegistryCounter
from .registry import registry_format

# How proposals are spread over states (weights): this year's still move through
# the gate; earlier years' are nearly all settled.
STATES_THIS_YEAR = [(State.DRAFT, 8), (State.HEAD_REVIEW, 6), (State.OFFICE_REVIEW, 8),
                    (State.LEADER_REVIEW, 2), (State.RETURNED, 4), (State.APPROVED, 20),
                    (State.COMPLETED, 40), (State.REJECTED, 5), (State.WITHDRAWN, 4), (State.CANCELLED, 3)]
STATES_EARLIER = [(State.DRAFT, 1), (State.APPROVED, 2), (State.COMPLETED, 80), (State.REJECTED, 8),
                  (State.WITHDRAWN, 5), (State.CANCELLED, 4)]
KINDS = [(Kind.DOCUMENT, 6), (Kind.MEETING, 3), (Kind.INSPECTION, 1)]
OPEN = (State.DRAFT, State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW, State.RETURNED)
# Each year's cap is this much below the year before's (只减不增).
CAP_FALL = 0.9
# Share of this year's quotas that ran out and refused a few submissions.
TRIPPED_SHARE = 0.05
LEADER_SHARE = 0.1  # of approved items, escalated to the leading group first

SUBMIT = (Step.CLERK, Action.SUBMIT, State.HEAD_REVIEW)
HEAD_SIGN = (Step.HEAD, Action.APPROVE, State.OFFICE_REVIEW)
REVIEW = [SUBMIT, HEAD_SIGN]
PATHS = {
    State.DRAFT: [],
    State.HEAD_REVIEW: [SUBMIT],
    State.OFFICE_REVIEW: REVIEW,
    State.LEADER_REVIEW: [*REVIEW, (Step.OFFICE, Action.ESCALATE, State.LEADER_REVIEW)],
    State.RETURNED: [*REVIEW, (Step.OFFICE, Action.RETURN, State.RETURNED)],
    State.APPROVED: [*REVIEW, (Step.OFFICE, Action.APPROVE, State.APPROVED)],
    State.COMPLETED: [*REVIEW, (Step.OFFICE, Action.APPROVE, State.APPROVED),
                      (Step.CLERK, Action.COMPLETE, State.COMPLETED)],
    State.REJECTED: [*REVIEW, (Step.OFFICE, Action.REJECT, State.REJECTED)],
    State.WITHDRAWN: [SUBMIT, (Step.CLERK, Action.WITHDRAW, State.WITHDRAWN)],
    State.CANCELLED: [*REVIEW, (Step.OFFICE, Action.APPROVE, State.APPROVED),
                      (Step.CLERK, Action.CANCEL, State.CANCELLED)],
}
VIA_LEADER = [(Step.OFFICE, Action.ESCALATE, State.LEADER_REVIEW), (Step.LEADER, Action.APPROVE, State.APPROVED)]
COMMENTS = {
    Action.RETURN: "请压缩篇幅，明确不要求基层重复填报。", Action.REJECT: "可与年度工作会议合并，不再单独安排。",
    Action.ESCALATE: "涉及基层负担较重，提请领导小组审批。", Action.CANCEL: "工作调整，不再举办。",
}
LEDGER_OF = {  # what a move does to the quota: (action, reserved, committed), by the state it leaves
    Action.SUBMIT: (LedgerAction.RESERVE, 1, 0), Action.REJECT: (LedgerAction.RELEASE, -1, 0),
    Action.WITHDRAW: (LedgerAction.RELEASE, -1, 0), Action.CANCEL: (LedgerAction.RELEASE, 0, -1),
}
DECIDED = (State.APPROVED, State.REJECTED, State.WITHDRAWN)


@dataclass
class People:
    clerk: dict = field(default_factory=dict)  # department pk → user
    head: dict = field(default_factory=dict)
    reviewers: list = field(default_factory=list)
    leader: User | None = None


def build(*, departments: int, proposals: int, years: int = 1, seed: int = 2026, password: str | None = None,
          now: datetime.datetime | None = None, prefix: str = "scale"):
    """Returns the city department. Users are scale_clerk_N / scale_head_N (department
    SCALE-NNNN), scale_reviewer_0/1, scale_leader_0 and scale_auditor_0; another
    `prefix` builds a second, separate city beside the first."""
    rng = random.Random(seed)
    now = now or timezone.now()
    ensure_roles()
    this_year = now.astimezone(SHANGHAI).year
    with transaction.atomic(), _stamped_by_hand():
        code = prefix.upper()
        name = "规模测试" if prefix == "scale" else f"{code}规模测试"
        city = Department.objects.create(code=f"{code}-CITY", name=f"{name}市", level=Level.CITY,
                                         issues_proposals=False)
        office = Department.objects.create(code=f"{code}-OFFICE", name=f"{name}市基层减负办", level=Level.CITY,
                                           parent=city, issues_proposals=False)
        lead = Department.objects.create(code=f"{code}-LEAD", name=f"{name}市领导小组", level=Level.CITY,
                                         parent=city, issues_proposals=False)
        depts = Department.objects.bulk_create([
            Department(code=f"{code}-{n:04d}", name=f"{name}部门{n}", level=Level.CITY, parent=city)
            for n in range(departments)])
        people = _users(prefix, depts, office, lead, password)
        year_list = [this_year - y for y in range(years)]
        # Computed in memory first, so each table is one bulk INSERT and nothing is
        # updated afterwards (bulk_update's CASE statements cost more than the inserts).
        quotas = _quotas(depts, year_list, proposals)
        rows, timelines = _proposals(rng, quotas, people, proposals, now)
        moves = _settle(rng, quotas, rows, timelines, now)
        _registry(rows, timelines)
        Quota.objects.bulk_create(quotas, batch_size=2000)
        made = Proposal.objects.bulk_create(rows, batch_size=2000)
        _events(made, timelines)
        _flow(made, timelines)
        LedgerEntry.objects.bulk_create(_entries(moves), batch_size=5000)
    return city


@contextmanager
def _stamped_by_hand():
    """auto_now(_add) would stamp every row 'now': the timelines set them instead."""
    fields = [Proposal._meta.get_field(n) for n in ("created_at", "updated_at")] + [
        ProposalEvent._meta.get_field("at"), LedgerEntry._meta.get_field("created_at")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _users(prefix, depts, office, lead, password) -> People:
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    rows = [(User(username=f"{prefix}_{role}_{n}", department=d, last_name="测", first_name=f"{role}{n}"), role)
            for n, d in enumerate(depts) for role in (Role.CLERK, Role.HEAD)]
    rows += [(User(username=f"{prefix}_reviewer_{n}", department=office, last_name="审", first_name=f"核{n}"),
              Role.REVIEWER) for n in range(2)]
    rows += [(User(username=f"{prefix}_leader_0", department=lead, last_name="领", first_name="导"), Role.LEADER),
             (User(username=f"{prefix}_auditor_0", department=office, last_name="监", first_name="督"), Role.AUDITOR)]
    users = User.objects.bulk_create([u for u, _ in rows])
    if password:
        for user in users:
            user.set_password(password)
        User.objects.bulk_update(users, ["password"], batch_size=2000)
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=u.pk, group_id=groups[role].pk)
                                 for u, (_, role) in zip(users, rows)], batch_size=5000)
    people = People()
    for user, (_, role) in zip(users, rows):
        if role in (Role.CLERK, Role.HEAD):
            getattr(people, role)[user.department_id] = user
        elif role == Role.REVIEWER:
            people.reviewers.append(user)
        elif role == Role.LEADER:
            people.leader = user
    return people


def _quotas(depts, year_list, proposals):
    """Per (department, year, kind) a cap sized to the items it will hold, falling
    year over year; the ledger raises a cap the items outgrow (see _ledger)."""
    per_department_year = proposals / (len(depts) * len(year_list))
    weights = dict(KINDS)
    total = sum(weights.values())
    rows = []
    for d in depts:
        for age, year in enumerate(year_list):
            for kind in Kind.values:
                expected = per_department_year * weights[kind] / total
                cap = max(2, round(expected * 1.1 / CAP_FALL ** age))
                rows.append(Quota(department=d, year=year, kind=kind, cap=cap))
    return rows


@dataclass
class Move:
    step: str
    action: str
    from_state: str
    to_state: str
    actor: User
    at: datetime.datetime
    comment: str = ""


def _proposals(rng, quotas, people, total, now):
    """The proposals and, for each, its timeline of moves (oldest first)."""
    by_key = {(q.department_id, q.year, q.kind): q for q in quotas}
    dept_ids = sorted({q.department_id for q in quotas})
    year_list = sorted({q.year for q in quotas}, reverse=True)
    kinds = [k for k, w in KINDS for _ in range(w)]
    this_year = year_list[0]
    rows, timelines = [], []
    for n in range(1, total + 1):
        dept_id = dept_ids[n % len(dept_ids)]
        year = year_list[(n // len(dept_ids)) % len(year_list)]
        kind = rng.choice(kinds)
        weights = STATES_THIS_YEAR if year == this_year else STATES_EARLIER
        state = rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        quota = by_key[dept_id, year, kind]
        day = _planned_day(rng, year, state, now)
        proposal = _proposal(n, quota, state, day, people.clerk[dept_id])
        path = list(PATHS[state])
        if state in (State.APPROVED, State.COMPLETED, State.CANCELLED) and rng.random() < LEADER_SHARE:
            path[2:3] = VIA_LEADER
            proposal.manual_escalation = True
        timeline = _timeline(rng, proposal, path, day, now, people)
        proposal.created_at = timeline[0].at
        proposal.updated_at = timeline[-1].at
        for move in timeline:
            if move.action == Action.SUBMIT:
                proposal.submitted_at = move.at
            if move.to_state in DECIDED:
                proposal.decided_at = move.at
            if move.action == Action.COMPLETE:
                proposal.completed_at = move.at
        rows.append(proposal)
        timelines.append(timeline)
    return rows, timelines


def _planned_day(rng, year, state, now) -> datetime.date:
    """Settled items took place a while ago; open ones are still ahead where the year allows."""
    today = now.astimezone(SHANGHAI).date()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if state in OPEN:
        low, high = max(first, today + datetime.timedelta(days=3)), last
    else:
        low, high = first, min(last, today - datetime.timedelta(days=15))
    if low > high:
        low, high = first, last
    return low + datetime.timedelta(days=rng.randrange((high - low).days + 1))


def _proposal(n, quota, state, day, clerk) -> Proposal:
    kind = quota.kind
    start = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
    dated = kind != Kind.DOCUMENT
    completed_meeting = kind == Kind.MEETING and state == State.COMPLETED
    estimated = Decimal(10 * 550 + 10 * 300) if kind == Kind.MEETING else None
    hold = {State.HEAD_REVIEW: Hold.RESERVED, State.OFFICE_REVIEW: Hold.RESERVED,
            State.LEADER_REVIEW: Hold.RESERVED, State.RETURNED: Hold.RESERVED,
            State.APPROVED: Hold.COMMITTED, State.COMPLETED: Hold.COMMITTED}.get(state, Hold.NONE)
    noun = {Kind.DOCUMENT: "通知", Kind.MEETING: "推进会", Kind.INSPECTION: "专项检查"}[kind]
    return Proposal(
        kind=kind, department_id=quota.department_id, created_by=clerk,
        title=f"关于做好第{n}项重点工作的{noun}", necessity="规模测试：落实年度重点任务，无法与其他事项合并。",
        target_levels=["township"], state=state, hold=hold, quota=quota if state != State.DRAFT else None,
        planned_date=None if dated else day, start=start if dated else None,
        end=start + datetime.timedelta(hours=2 if kind == Kind.MEETING else 8) if dated else None,
        doc_type="notice" if kind == Kind.DOCUMENT else "", length_chars=3000 if kind == Kind.DOCUMENT else None,
        meeting_format="video" if kind == Kind.MEETING else "", meeting_class=3 if kind == Kind.MEETING else None,
        attendees_city=10 if kind == Kind.MEETING else 0, estimated_cost=estimated,
        inspection_type="check" if kind == Kind.INSPECTION else "",
        inspection_mode="open" if kind == Kind.INSPECTION else "", days_on_site=1 if kind == Kind.INSPECTION else 0,
        doc_number=f"规测〔{day.year}〕{n}号" if state == State.COMPLETED and kind == Kind.DOCUMENT else "",
        issued_on=day if state == State.COMPLETED and kind == Kind.DOCUMENT else None,
        actual_attendees=10 if completed_meeting else None,
        actual_cost=(estimated * Decimal("0.9")).quantize(Decimal("0.01")) if completed_meeting else None,
    )


def _timeline(rng, proposal, path, day, now, people) -> list[Move]:
    """Creation, then each move of `path`: open items moved in the last weeks (some
    past their time limit), settled ones before their date, completed after it."""
    planned = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
    finish = bool(path) and path[-1][1] == Action.COMPLETE
    if proposal.state in OPEN:
        start, end = now - datetime.timedelta(days=rng.uniform(3, 40)), now - datetime.timedelta(hours=1)
    else:
        start = planned - datetime.timedelta(days=rng.uniform(20, 50))
        end = min(planned - datetime.timedelta(days=1), now - datetime.timedelta(hours=1))
    steps = len(path) - finish + 1
    times = sorted(start + (end - start) * rng.random() for _ in range(steps))
    if finish:
        times.append(min(planned + datetime.timedelta(days=rng.uniform(1, 10)), now - datetime.timedelta(hours=1)))
    actors = {Step.CLERK: proposal.created_by, Step.HEAD: people.head[proposal.department_id],
              Step.OFFICE: rng.choice(people.reviewers), Step.LEADER: people.leader}
    moves, state = [Move(Step.CLERK, Action.CREATE, State.DRAFT, State.DRAFT, proposal.created_by, times[0])], State.DRAFT
    for (step, action, target), at in zip(path, times[1:]):
        moves.append(Move(step, action, state, target, actors[step], at, COMMENTS.get(action, "")))
        state = target
    return moves


def _events(made, timelines) -> None:
    ProposalEvent.objects.bulk_create([
        ProposalEvent(proposal=p, actor=m.actor, at=m.at, step=m.step, action=m.action, from_state=m.from_state,
                      to_state=m.to_state, comment=m.comment)
        for p, timeline in zip(made, timelines) for m in timeline], batch_size=5000)


def _flow(made, timelines) -> None:
    """The engine's rows as the services leave them: a process per submitted item,
    its start task, a human task per step it passed (done by whoever moved it on),
    the open task of its current step, and the end of a settled one."""
    from .flows import ProposalFlow

    content_type = ContentType.objects.get_for_model(Proposal)
    submitted = [(p, t) for p, t in zip(made, timelines) if len(t) > 1]
    processes = Process.objects.bulk_create([
        Process(flow_class=ProposalFlow, artifact_content_type=content_type, artifact_object_id=p.pk,
                status=STATUS.NEW if p.state in NODE_OF_STATE else STATUS.DONE, created=t[1].at,
                finished=None if p.state in NODE_OF_STATE else t[-1].at)
        for p, t in submitted], batch_size=2000)
    tasks, chains = [], []
    for process, (p, timeline) in zip(processes, submitted):
        chain = [Task(process=process, flow_task=ProposalFlow.start, flow_task_type="START", status=STATUS.DONE,
                      created=timeline[1].at, started=timeline[1].at, finished=timeline[1].at)]
        for entered, left in zip(timeline[1:], timeline[2:] + [None]):
            node = NODE_OF_STATE.get(entered.to_state)
            if node is None:
                continue
            chain.append(_human_task(process, p, node, entered, left))
        if p.state not in NODE_OF_STATE:
            chain.append(Task(process=process, flow_task=ProposalFlow.end, flow_task_type="END",
                              status=STATUS.DONE, created=timeline[-1].at, finished=timeline[-1].at))
        tasks.extend(chain)
        chains.append(chain)
    Task.objects.bulk_create(tasks, batch_size=2000)
    Previous = Task.previous.through
    Previous.objects.bulk_create([Previous(from_task_id=a.pk, to_task_id=b.pk)
                                  for chain in chains for a, b in zip(chain, chain[1:])], batch_size=5000)


def _human_task(process, proposal, node, entered, left) -> Task:
    from .flows import ProposalFlow

    step = STEP_OF_STATE[entered.to_state]
    task = Task(process=process, flow_task=getattr(ProposalFlow, node), flow_task_type="HUMAN",
                created=entered.at, owner_permission=policy.task_permission(step, proposal.department_id))
    if left is not None:
        task.status, task.owner = STATUS.DONE, left.actor
        task.assigned = task.started = task.finished = left.at
    elif step == Step.CLERK:  # revise and outcome go straight to the item's clerk
        task.status, task.owner, task.assigned = STATUS.ASSIGNED, proposal.created_by, entered.at
    else:
        task.status = STATUS.NEW
    return task


def _settle(rng, quotas, made, timelines, now) -> list:
    """Every counter move of every timeline, in time order: the cap set before each
    year (调整总量), each slot reserved, committed or released, and on a few of this
    year's quotas that ran out, refused submissions (熔断次数). Caps are raised where
    the items outgrew them; the quotas' counters are set to what the moves add up to."""
    moves = []  # (at, n, quota, proposal, ledger action, reserved, committed)
    for n, (p, timeline) in enumerate(zip(made, timelines)):
        for m in timeline:
            if m.action in LEDGER_OF:
                moves.append((m.at, n, p.quota, p, *LEDGER_OF[m.action]))
            elif m.to_state == State.APPROVED:
                moves.append((m.at, n, p.quota, p, LedgerAction.COMMIT, -1, 1))
    moves.sort(key=lambda row: row[:2])
    peak = {}
    for _, _, q, _, _, reserved, committed in moves:
        q.reserved += reserved
        q.committed += committed
        peak[id(q)] = max(peak.get(id(q), 0), q.reserved + q.committed)
    this_year = max(q.year for q in quotas)
    for q in quotas:
        tripped = q.year == this_year and rng.random() < TRIPPED_SHARE
        q.cap = peak.get(id(q), 0) if tripped else max(q.cap, peak.get(id(q), 0))
        moves.append((datetime.datetime(q.year - 1, 12, 20, tzinfo=SHANGHAI), -1, q, None, LedgerAction.CAP, 0, 0))
        for _ in range(rng.randint(1, 3) if tripped else 0):
            moves.append((now - datetime.timedelta(days=rng.uniform(0, 20)), -1, q, None, LedgerAction.BLOCKED, 0, 0))
    moves.sort(key=lambda row: row[:2])
    return moves


NOTES = {LedgerAction.CAP: "年度总量", LedgerAction.BLOCKED: "总量已熔断，提交被拦截"}


def _entries(moves) -> list[LedgerEntry]:
    """The ledger rows of `moves` (the quotas and proposals saved by now), each with
    the counters as they stood right after it."""
    running, entries = {}, []
    for at, _, q, p, action, reserved, committed in moves:
        counters = running.setdefault(q.pk, [0, 0])
        counters[0] += reserved
        counters[1] += committed
        entries.append(LedgerEntry(
            quota=q, action=action, source=p, delta_reserved=reserved, delta_committed=committed,
            cap_after=q.cap, reserved_after=counters[0], committed_after=counters[1], overridden_after=0,
            created_at=at, note=NOTES.get(action, "")))
    return entries


def _registry(made, timelines) -> None:
    """减负备案号 in the order items were approved, gap-free per year, after any
    numbers the database already gave."""
    approved = sorted((next(m.at for m in t if m.to_state == State.APPROVED), n, p)
                      for n, (p, t) in enumerate(zip(made, timelines)) if any(m.to_state == State.APPROVED for m in t))
    last = {}
    for _, _, p in approved:
        year = p.planned_day.year
        if year not in last:
            counter, _ = RegistryCounter.objects.get_or_create(year=year)
            last[year] = counter.last
        last[year] += 1
        p.registry_year, p.registry_seq = year, last[year]
        p.registry_number = registry_format(year=year, seq=last[year])
    for year, value in last.items():
        RegistryCounter.objects.filter(year=year).update(last=value)
