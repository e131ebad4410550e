"""Who may do what, in one place.

Pages and API hints ask `actions_for(user, proposal)`; services call
`require(user, proposal, action)` inside their transaction, so separation of
duties holds on every path; lists and 404s come from `visible_proposals` and
`get_proposal_for_user`; the engine's task permissions (viewflow's queues)
are derived here too. Nothing else re-derives a rule.

The rules (DESIGN.md): a clerk acts on their own department's items; the head
signs their own department's; the review office and the leaders decide other
departments' items only; nobody decides what they drafted.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.access import sees_all_departments
from quotas.models import Department, Role

from . import deputies
from .errors import InvalidTransition, NotAllowed
from .lifecycle import (
    CLERK_ONLY, DECISIONS, EDITABLE_STATES, STEP_OF_STATE, Action, Rule, Step, rule_for, rules_from,
)
from .models import Plan, Proposal, State

MSG_OWN_DRAFT = gettext_noop("不能审批自己起草的申请。")
MSG_OWN_DEPARTMENT = gettext_noop("减负办审核人和领导小组审批人不能审批本部门的申请。")
MSG_NOT_HEAD = gettext_noop("只有本部门负责人可以审签。")
MSG_NOT_REVIEWER = gettext_noop("只有减负办审核人可以审核。")
MSG_NOT_LEADER = gettext_noop("只有领导小组审批人可以审批提级事项。")
MSG_NOT_CLERK = gettext_noop("只有本部门经办人可以办理。")
MSG_NO_TASK = gettext_noop("该申请当前状态为“{state}”，没有待办的审核环节。")
MSG_BAD_DECISION = gettext_noop("“{step}”环节不能作出“{decision}”的决定。")
MSG_WRONG_STATE = gettext_noop("该申请当前状态为“{state}”，不能{action}。")

ROLE_OF_STEP = {Step.CLERK: Role.CLERK, Step.HEAD: Role.HEAD, Step.OFFICE: Role.REVIEWER,
                Step.LEADER: Role.LEADER}
NOT_THEIRS = {Step.CLERK: MSG_NOT_CLERK, Step.HEAD: MSG_NOT_HEAD, Step.OFFICE: MSG_NOT_REVIEWER,
              Step.LEADER: MSG_NOT_LEADER}


# --- acting ---------------------------------------------------------------------

def refusal(user, proposal: Proposal, step: str) -> str | None:
    """Why `user` may not act as `step` on `proposal` (an untranslated message),
    or None when they may — in their own right or as a deputy (代理) of someone
    who may. Separation of duties is decided here, for deputies too."""
    reason = _refusal_in_own_right(user, proposal, step)
    if reason is None or step == Step.CLERK:
        return reason
    return _as_deputy(user, proposal, step, reason)[0]


def on_behalf_of(user, proposal: Proposal, step: str):
    """The principal `user` acts for at `step` (代理), or None when acting in
    their own right (the audit row records it: "X（代 Y）")."""
    if step == Step.CLERK or _refusal_in_own_right(user, proposal, step) is None:
        return None
    return _as_deputy(user, proposal, step, None)[1]


def _as_deputy(user, proposal, step, reason):
    """(refusal, principal): the first principal `user` deputises for today who
    may act themselves — and then the deputy's own separation of duties."""
    for principal in deputies.acting_for(user, ROLE_OF_STEP[step]):
        if _refusal_in_own_right(principal, proposal, step) is not None:
            continue
        if proposal.created_by_id == user.pk:
            return MSG_OWN_DRAFT, None
        if step != Step.HEAD and user.department_id is not None and user.department_id == proposal.department_id:
            return MSG_OWN_DEPARTMENT, None
        return None, principal
    return reason, None


def _refusal_in_own_right(user, proposal: Proposal, step: str) -> str | None:
    if step != Step.CLERK and proposal.created_by_id == user.pk:
        return MSG_OWN_DRAFT
    if ROLE_OF_STEP[step] not in user.roles:
        return NOT_THEIRS[step]
    own_department = user.department_id is not None and user.department_id == proposal.department_id
    if step in (Step.CLERK, Step.HEAD):
        return None if own_department else NOT_THEIRS[step]
    return MSG_OWN_DEPARTMENT if own_department else None


def actions_for(user, proposal: Proposal) -> list[Rule]:
    """The lifecycle rows `user` may take on `proposal` now (for pages and hints)."""
    return [rule for rule in rules_from(proposal.state) if refusal(user, proposal, rule.step) is None]


def may(user, proposal: Proposal, action: str) -> bool:
    """Whether `user` may take `action` on `proposal` now (EDIT included)."""
    if action in CLERK_ONLY:
        return proposal.state in EDITABLE_STATES and refusal(user, proposal, Step.CLERK) is None
    return any(rule.action == action for rule in actions_for(user, proposal))


def require(user, proposal: Proposal, action: str) -> Rule | None:
    """The lifecycle row for `action` on `proposal` now, if `user` may take it
    (None for EDIT, which moves no state). Raises NotAllowed (403) or
    InvalidTransition (409): a decision is checked against the waiting step
    first, then the person; a clerk's action the person first, then the state."""
    if action in DECISIONS:
        rule = _decision_rule(proposal, action)
        _refuse_unless(user, proposal, rule.step)
        return rule
    _refuse_unless(user, proposal, Step.CLERK)
    if action in CLERK_ONLY and proposal.state in EDITABLE_STATES:
        return None
    rule = rule_for(action, proposal.state)
    if rule is None:
        raise InvalidTransition(_(MSG_WRONG_STATE).format(
            state=proposal.get_state_display(), action=Action(action).label))
    return rule


def _decision_rule(proposal: Proposal, action: str) -> Rule:
    step = STEP_OF_STATE.get(proposal.state)
    if step in (None, Step.CLERK):
        raise InvalidTransition(_(MSG_NO_TASK).format(state=proposal.get_state_display()))
    rule = rule_for(action, proposal.state)
    if rule is None:
        raise InvalidTransition(_(MSG_BAD_DECISION).format(
            step=proposal.get_state_display(), decision=Action(action).label))
    return rule


def _refuse_unless(user, proposal: Proposal, step: str) -> None:
    reason = refusal(user, proposal, step)
    if reason is not None:
        raise NotAllowed(_(reason))


def waits_for(user, proposal: Proposal) -> bool:
    """Whether the step `proposal` waits at (its open task) is `user`'s to take."""
    step = STEP_OF_STATE.get(proposal.state)
    return step is not None and refusal(user, proposal, step) is None


def actionable(user) -> Q:
    """`waits_for` as a filter: the same rules as `refusal`, written for the
    database so that a to-do of 20,000 items is one query (tests check the two
    agree item by item)."""
    roles, own = user.roles, user.department_id
    mine = Q(department_id=own) if own is not None else Q(pk__in=[])
    deciding = ~Q(created_by_id=user.pk)
    wanted = Q(pk__in=[])
    if Role.HEAD in roles:
        wanted |= Q(state=State.HEAD_REVIEW) & mine & deciding
    for role, state in ((Role.REVIEWER, State.OFFICE_REVIEW), (Role.LEADER, State.LEADER_REVIEW)):
        if role in roles:
            wanted |= Q(state=state) & ~mine & deciding
    if Role.CLERK in roles:
        wanted |= Q(state__in=[State.RETURNED, State.APPROVED]) & mine
    return wanted | _deputising(user)


def _deputising(user) -> Q:
    """What waits for the principals `user` deputises for today (one query), with
    the deputy's own separation of duties (`_as_deputy` as a filter)."""
    wanted = Q(pk__in=[])
    for row in deputies.current_deputyships(user):
        principal = row.principal
        theirs = Q(department_id=principal.department_id) if principal.department_id else Q(pk__in=[])
        deciding = ~Q(created_by_id=user.pk) & ~Q(created_by_id=principal.pk)
        if row.role == Role.HEAD:
            wanted |= Q(state=State.HEAD_REVIEW) & theirs & deciding
            continue
        state = State.OFFICE_REVIEW if row.role == Role.REVIEWER else State.LEADER_REVIEW
        mine = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
        wanted |= Q(state=state) & ~theirs & ~mine & deciding
    return wanted


MSG_PLAN_CLERK = gettext_noop("只有本部门经办人可以填报年度计划。")
MSG_PLAN_REVIEWER = gettext_noop("只有减负办审核人可以审核年度计划。")
MSG_PLAN_READER = gettext_noop("只有经办人、部门负责人、减负办、领导小组和监督考核人员可以查看年度计划。")


def plan_filer_refusal(user, department_id) -> str | None:
    """Why `user` may not file `department_id`'s annual plan (untranslated), or None:
    a department's annual plan is filed by its own clerks."""
    if Role.CLERK not in user.roles or user.department_id is None or user.department_id != department_id:
        return MSG_PLAN_CLERK
    return None


def plan_decider_refusal(user, plan) -> str | None:
    """The review office decides plans, never its own department's."""
    if Role.REVIEWER not in user.roles or user.department_id == plan.department_id:
        return MSG_PLAN_REVIEWER
    return None


def require_plan_filer(user, department_id) -> None:
    if (reason := plan_filer_refusal(user, department_id)) is not None:
        raise NotAllowed(_(reason))


def require_plan_decider(user, plan) -> None:
    if (reason := plan_decider_refusal(user, plan)) is not None:
        raise NotAllowed(_(reason))


def may_read_plans(user) -> bool:
    """Clerks and heads read their own department's plans; the review office, the
    leaders, the auditors and administrators read every department's."""
    if not user.is_authenticated:
        return False
    own = user.department_id is not None and bool(user.roles & {Role.CLERK, Role.HEAD})
    return own or sees_all_departments(user)


def visible_plans(user):
    """The annual plans `user` may read (the API's list and the pages)."""
    found = Plan.objects.select_related("department")
    if not may_read_plans(user):
        return found.none()
    if sees_all_departments(user):
        return found
    return found.filter(department_id=user.department_id)


def get_plan_for_user(user, pk):
    """The plan if `user` may read it, else 404."""
    try:
        return visible_plans(user).get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such plan") from None


def may_draft(user) -> bool:
    return Role.CLERK in user.roles and user.department_id is not None


def require_draft(user) -> None:
    if not may_draft(user):
        raise NotAllowed(_(MSG_NOT_CLERK))


# --- seeing ---------------------------------------------------------------------

def visible_proposals(user, *, related: bool = True):
    """Clerks and heads see their own department's proposals and the joint
    documents it co-issues; the review office, leaders, auditors and
    administrators see every proposal."""
    proposals = Proposal.objects.all()
    if related:
        # The quota's department too: a quota names itself by it (Quota.__str__).
        proposals = proposals.select_related("department", "created_by", "quota__department")
    if not user.is_authenticated:
        return proposals.none()
    if user.is_superuser:
        return proposals
    if sees_all_departments(user):
        # Drafts are private to their department until submitted.
        return proposals.exclude(Q(state=State.DRAFT) & ~Q(department_id=user.department_id))
    if user.department_id is None:
        return proposals.none()
    co_issued = Proposal.co_departments.through.objects.filter(
        proposal_id=OuterRef("pk"), department_id=user.department_id)
    # A head's deputy (代理) sees the department they sign for meanwhile.
    signing_for = [row.principal.department_id for row in deputies.current_deputyships(user)
                   if row.role == Role.HEAD]
    return proposals.filter(Q(department_id=user.department_id) | Exists(co_issued)
                            | (Q(department_id__in=signing_for) & ~Q(state=State.DRAFT)))


def get_proposal_for_user(user, pk, *, related: bool = True) -> Proposal:
    """The proposal if `user` may see it, else 404 (guessing ids reveals nothing)."""
    try:
        return visible_proposals(user, related=related).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proposal") from None


# --- the engine's task permissions (viewflow queues) ------------------------------

# The names stored on existing tasks (Task.owner_permission): keep them stable.
TASK_PERMISSION_PREFIX = {Step.CLERK: "clerk_of", Step.HEAD: "head_sign", Step.OFFICE: "office_review",
                          Step.LEADER: "leader_review"}


def task_permission(step: str, department_id) -> str:
    """The permission a task of `step` for `department_id`'s item carries."""
    return f"approvals.{TASK_PERMISSION_PREFIX[step]}_{department_id}"


def task_permissions(user) -> set[str]:
    """The task permissions `user`'s roles grant: their own department's clerk and
    head tasks; every other department's office or leader tasks."""
    roles, own = user.roles, user.department_id
    perms = {task_permission(step, own) for step in (Step.CLERK, Step.HEAD)
             if own is not None and ROLE_OF_STEP[step] in roles}
    deciding = [step for step in (Step.OFFICE, Step.LEADER) if ROLE_OF_STEP[step] in roles]
    if deciding:
        for pk in Department.objects.exclude(pk=own).values_list("pk", flat=True):
            perms |= {task_permission(step, pk) for step in deciding}
    return perms
