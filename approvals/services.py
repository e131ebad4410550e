"""Every change to a proposal: create, edit, submit, decide, withdraw, cancel, complete.

Each public function is one transaction. It takes the flow's lock on the
process row (SELECT … FOR UPDATE NOWAIT, retried), re-reads the proposal
under it, checks role, separation of duties and state, then moves the FSM
state, calls the quota services, writes the audit event and finishes the
current viewflow task — all or nothing. The race this prevents: two heads (or
a head and a withdrawing clerk) acting on the same proposal at once; the
second waits for the lock and then finds the state already moved.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed
from viewflow.workflow.status import STATUS

from quotas.models import Role
from quotas.transactions import committing
from quotas.services import (
    QuotaError, QuotaExhausted, quota_commit, quota_get, quota_override, quota_record_blocked,
    quota_release, quota_reserve,
)

from . import rules
from .models import EDITABLE_STATES, Hold, Proposal, ProposalEvent, ProposalProcess, State


class ProposalError(Exception):
    """A refused action. `code` is stable (the API's error code); str() is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, problems=None, quota=None):
        super().__init__(message)
        if code:
            self.code = code
        self.problems = problems or []
        self.quota = quota


class NotAllowed(ProposalError):
    """The caller may see the proposal but this is not their action (403)."""

    code = "forbidden"
    status = 403


class InvalidTransition(ProposalError):
    """The proposal is not in a state where this can happen (409)."""

    code = "invalid_transition"
    status = 409


class SubmissionRefused(ProposalError):
    """Data that breaks a submission rule (400)."""

    code = "invalid"
    status = 400


class QuotaRefused(ProposalError):
    """总量熔断: the quota of the proposal's year is used up (409)."""

    code = "quota_exhausted"
    status = 409


MSG_OWN_DRAFT = gettext_noop("不能审批自己起草的申请。")
MSG_OWN_DEPARTMENT = gettext_noop("减负办审核人和领导小组审批人不能审批本部门的申请。")
MSG_NOT_HEAD = gettext_noop("只有本部门负责人可以审签。")
MSG_NOT_REVIEWER = gettext_noop("只有减负办审核人可以审核。")
MSG_NOT_LEADER = gettext_noop("只有领导小组审批人可以审批提级事项。")
MSG_NOT_CLERK = gettext_noop("只有本部门经办人可以办理。")
MSG_NO_TASK = gettext_noop("该申请当前状态为“{state}”，没有待办的审核环节。")
MSG_BAD_DECISION = gettext_noop("“{step}”环节不能作出“{decision}”的决定。")
MSG_WRONG_STATE = gettext_noop("该申请当前状态为“{state}”，不能{action}。")
MSG_NEEDS_JUSTIFICATION = gettext_noop("特事特办申请必须写明超额说明。")
MSG_NEEDS_COMMENT = gettext_noop("退回或不予通过时请写明意见。")
MSG_COMMENT_TOO_LONG = gettext_noop("意见不能超过 {limit} 字。")
COMMENT_MAX_CHARS = 5000

DECISIONS = {
    "approve": gettext_noop("同意"),
    "reject": gettext_noop("不予通过"),
    "return": gettext_noop("退回修改"),
    "escalate": gettext_noop("提级"),
}
STEP_OF_STATE = {
    State.HEAD_REVIEW: ProposalEvent.Step.HEAD,
    State.OFFICE_REVIEW: ProposalEvent.Step.OFFICE,
    State.LEADER_REVIEW: ProposalEvent.Step.LEADER,
}
ALLOWED_DECISIONS = {
    ProposalEvent.Step.HEAD: {"approve", "return"},
    ProposalEvent.Step.OFFICE: {"approve", "reject", "return", "escalate"},
    ProposalEvent.Step.LEADER: {"approve", "reject", "return"},
}


# --- plumbing ---------------------------------------------------------------

def _flow():
    from .flows import ProposalFlow

    return ProposalFlow


def _process_of(proposal: Proposal):
    return (
        ProposalProcess.objects.filter(
            flow_class=_flow(), artifact_object_id=proposal.pk,
            artifact_content_type__model="proposal",
        )
        .order_by("-pk")
        .first()
    )


def open_task(proposal: Proposal):
    """The proposal's current human task, if any."""
    return _open_task_of(_process_of(proposal))


def _open_task_of(process):
    if process is None:
        return None
    return (
        process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .order_by("-pk")
        .first()
    )


def _finish_task(task, by) -> None:
    """Complete a viewflow task as `by`, so the flow routes on the new state."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(by)
    elif task.owner_id != by.pk:
        activation.reassign(by)
    activation.start(None)
    activation.execute()


def _advance(process, by) -> None:
    """Finish the process's open task, if it has one (the clerk's own actions)."""
    task = _open_task_of(process)
    if task is not None:
        _finish_task(task, by)


def _locked(proposal: Proposal):
    """Context: one transaction, holding the flow lock if a process exists
    (viewflow's lock opens the transaction itself, so no savepoint is added
    inside it); the caller then row-locks the proposal with _reload()."""
    process = _process_of(proposal)
    if process is None:
        return committing(transaction.atomic()), None
    return committing(_flow().lock(process.pk)), process


def _reload(proposal: Proposal) -> Proposal:
    """The proposal re-read under a row lock, with the departments the checks read."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=proposal.pk)
    )


def _event(proposal, by, step, action, from_state, comment=""):
    ProposalEvent.objects.create(
        proposal=proposal, actor=by, step=step, action=action,
        from_state=from_state, to_state=proposal.state, comment=comment,
    )


def _check_comment(comment: str) -> None:
    if len(comment) > COMMENT_MAX_CHARS:
        raise SubmissionRefused(_(MSG_COMMENT_TOO_LONG).format(limit=COMMENT_MAX_CHARS), code="invalid")


def _require_clerk(proposal: Proposal, by) -> None:
    if Role.CLERK not in by.roles or by.department_id != proposal.department_id:
        raise NotAllowed(_(MSG_NOT_CLERK))


def _wrong_state(proposal: Proposal, action: str) -> InvalidTransition:
    return InvalidTransition(
        _(MSG_WRONG_STATE).format(state=proposal.get_state_display(), action=action)
    )


# --- drafting -----------------------------------------------------------------

# The closed write contract of a draft: what a clerk may set. Department, author,
# state, quota hold, escalation and outcome fields are the services' own.
DRAFT_FIELDS = frozenset({
    "title", "necessity", "planned_date", "target_levels",
    # documents
    "doc_type", "length_chars", "is_joint", "forms_required", "one_vote_veto",
    "responsibility_pledge",
    # meetings
    "start", "end", "meeting_format", "meeting_class", "attendees_city", "attendees_county",
    "attendees_township", "attendees_village", "principals_required", "venue",
})

MSG_JOINT_LEAD = gettext_noop(
    "联合发文计入牵头部门的年度总量，须由牵头部门的经办人起草提交。本部门不牵头时，"
    "请由牵头部门发起，并把本部门列为联合发文单位。"
)
MSG_CO_DEPARTMENT = gettext_noop("联合发文单位须是其他发文部门，不能是本部门。")


def proposal_create(*, by, kind: str, lead_department=None, co_departments=(), **fields) -> Proposal:
    """A clerk drafts a proposal for their own department (which leads it if joint)."""
    if Role.CLERK not in by.roles or by.department_id is None:
        raise NotAllowed(_(MSG_NOT_CLERK))
    _check_draft_fields(fields)
    _check_joint(by.department_id, lead_department, co_departments)
    proposal = Proposal(department_id=by.department_id, created_by=by, kind=kind, **fields)
    # Department and author are the caller's own: no need to ask the database they exist.
    proposal.full_clean(exclude=["state", "department", "created_by"])
    with committing(transaction.atomic()):
        proposal.save()
        if co_departments:
            proposal.co_departments.set(co_departments)
        _event(proposal, by, ProposalEvent.Step.CLERK, "create", State.DRAFT)
    return proposal


def proposal_update(*, proposal: Proposal, by, lead_department=None, co_departments=None,
                    **fields) -> Proposal:
    """Edit while draft or returned, only by a clerk of its department.
    Kind and department never change; `co_departments=None` leaves them as they are."""
    _require_clerk(proposal, by)
    _check_draft_fields(fields)
    _check_joint(proposal.department_id, lead_department, co_departments or ())
    with committing(transaction.atomic()):
        current = _reload(proposal)
        if current.state not in EDITABLE_STATES:
            raise _wrong_state(current, _("修改"))
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean(exclude=["state"])
        current.save()
        if co_departments is not None:
            current.co_departments.set(co_departments)
    return current


def _check_draft_fields(fields) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        # A programming error, not a user's: views and serializers pass only these.
        raise TypeError(f"not editable in a draft: {', '.join(sorted(unknown))}")


def _check_joint(department_id, lead_department, co_departments) -> None:
    """No department's counters move without its consent: a joint document is
    charged to the department that files it, so only it can be the lead."""
    if lead_department is not None and lead_department.pk != department_id:
        raise SubmissionRefused(_(MSG_JOINT_LEAD), code="joint_lead_must_file", problems=[
            rules.Problem("lead_department", "joint_lead_must_file", _(MSG_JOINT_LEAD))])
    if any(d.pk == department_id or not d.issues_proposals for d in co_departments):
        raise SubmissionRefused(_(MSG_CO_DEPARTMENT), code="invalid", problems=[
            rules.Problem("co_departments", "invalid", _(MSG_CO_DEPARTMENT))])


# --- submission (总量熔断 happens here) --------------------------------------------

def proposal_submit(*, proposal: Proposal, by, emergency: bool = False, justification: str = "") -> Proposal:
    """Reserve a slot of the quota of the proposal's year and send it to the head.

    When the quota is tripped the submission is refused and only a `blocked`
    ledger entry remains — written after the refused transaction rolled back.
    An emergency request (特事特办) with a justification goes on without a slot;
    only the leader can approve it, and then it counts as overridden.
    """
    _require_clerk(proposal, by)
    if emergency and not justification.strip():
        raise SubmissionRefused(_(MSG_NEEDS_JUSTIFICATION), code="invalid",
                                problems=[rules.Problem("justification", "required", _(MSG_NEEDS_JUSTIFICATION))])
    try:
        return _submit(proposal, by, emergency, justification.strip())
    except QuotaExhausted as refused:
        quota_record_blocked(quota=refused.quota, proposal=proposal, by=by)
        raise QuotaRefused(str(refused), quota=refused.quota) from None
    except QuotaError as refused:
        raise SubmissionRefused(str(refused), code=refused.code) from None


def _submit(proposal, by, emergency, justification):
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        if not can_proceed(current.submit):
            raise _wrong_state(current, _("提交"))
        current.emergency, current.justification = emergency, justification
        problems = rules.submission_problems(current)
        if problems:
            raise SubmissionRefused(problems[0].message, code=problems[0].code, problems=problems)
        quota = quota_get(department=current.department, year=current.quota_year, kind=current.kind)
        _hold_slot(current, quota, by, emergency)  # `quota` now holds the counters after it
        current.manual_escalation = False
        current.escalations = rules.escalations(current, quota=quota)
        if current.kind == "meeting":
            current.estimated_cost = rules.meeting_cost(
                meeting_class=current.meeting_class, attendees=current.total_attendees,
                days=current.meeting_days,
            )
        from_state = current.state
        current.submit()
        current.submitted_at = timezone.now()
        current.save()
        _event(current, by, ProposalEvent.Step.CLERK, "submit", from_state,
               justification if emergency else "")
        if process is None:
            _flow().start.run(proposal=current)
        else:
            _advance(process, by)
        return current


def _hold_slot(proposal, quota, by, emergency) -> None:
    """Make sure the proposal holds a slot of `quota` (or, as 特事特办, none)."""
    if proposal.hold == Hold.RESERVED and proposal.quota_id == quota.pk:
        return  # returned for revision keeps its reservation
    if proposal.hold == Hold.RESERVED:
        # The planned date moved to another year: give back the old year's slot.
        quota_release(quota=proposal.quota, proposal=proposal, by=by,
                      note=_("计划日期改到其他年度"))
    try:
        quota_reserve(quota=quota, proposal=proposal, by=by)
        _set_hold(proposal, quota, Hold.RESERVED)
    except QuotaExhausted:
        if not emergency:
            raise
        _set_hold(proposal, quota, Hold.NONE)


def _set_hold(proposal, quota, hold) -> None:
    """Record which counter the proposal occupies; the caller's save() writes it."""
    proposal.quota, proposal.hold = quota, hold


# --- review decisions ----------------------------------------------------------

def proposal_decide(*, proposal: Proposal, by, decision: str, comment: str = "") -> Proposal:
    """The head, the review office or the leader decides the current review task."""
    _check_comment(comment)
    if decision not in DECISIONS:
        raise SubmissionRefused(_("未知的决定：{d}").format(d=decision), code="invalid")
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        step = STEP_OF_STATE.get(current.state)
        task = _open_task_of(process) if step else None
        if step is None or task is None:
            raise InvalidTransition(_(MSG_NO_TASK).format(state=current.get_state_display()))
        if decision not in ALLOWED_DECISIONS[step]:
            raise InvalidTransition(_(MSG_BAD_DECISION).format(
                step=current.get_state_display(), decision=_(DECISIONS[decision])))
        _check_decider(current, by, step)
        if decision in ("reject", "return") and not comment.strip():
            raise SubmissionRefused(_(MSG_NEEDS_COMMENT), code="comment_required")
        from_state = current.state
        _apply_decision(current, by, step, decision, comment)
        current.save()
        _event(current, by, step, decision, from_state, comment)
        _finish_task(task, by)
        return current


def decisions_for(proposal: Proposal, user) -> set[str]:
    """The decisions `user` may make on the proposal now (empty: not theirs to decide)."""
    step = STEP_OF_STATE.get(proposal.state)
    if step is None:
        return set()
    try:
        _check_decider(proposal, user, step)
    except NotAllowed:
        return set()
    return ALLOWED_DECISIONS[step]


def _check_decider(proposal, by, step) -> None:
    """Separation of duties: enforced here so that no path can skip it."""
    if proposal.created_by_id == by.pk:
        raise NotAllowed(_(MSG_OWN_DRAFT))
    if step == ProposalEvent.Step.HEAD:
        if Role.HEAD not in by.roles or by.department_id != proposal.department_id:
            raise NotAllowed(_(MSG_NOT_HEAD))
        return
    needed, message = (
        (Role.REVIEWER, MSG_NOT_REVIEWER) if step == ProposalEvent.Step.OFFICE
        else (Role.LEADER, MSG_NOT_LEADER)
    )
    if needed not in by.roles:
        raise NotAllowed(_(message))
    if by.department_id == proposal.department_id:
        raise NotAllowed(_(MSG_OWN_DEPARTMENT))


def _apply_decision(p: Proposal, by, step, decision, comment) -> None:
    if step == ProposalEvent.Step.HEAD:
        p.sign() if decision == "approve" else p.send_back()
        return
    if decision == "return":
        p.send_back()
    elif decision == "reject":
        p.reject()
        _release(p, by)
        p.decided_at = timezone.now()
    elif decision == "escalate":
        p.manual_escalation = True
        p.escalations = rules.escalations(p, quota=p.quota)
        p.escalate()
    elif step == ProposalEvent.Step.OFFICE and (p.escalations or p.emergency):
        p.escalate()  # 提级: the office's approval forwards the item to the leader
    else:
        p.approve()
        p.decided_at = timezone.now()
        if p.hold == Hold.RESERVED:
            quota_commit(quota=p.quota, proposal=p, by=by)
            _set_hold(p, p.quota, Hold.COMMITTED)
        else:
            quota_override(quota=p.quota, proposal=p, by=by, note=p.justification)
            _set_hold(p, p.quota, Hold.OVERRIDDEN)


def _release(p: Proposal, by, note: str = "") -> None:
    if p.hold != Hold.NONE:
        quota_release(quota=p.quota, proposal=p, by=by, held=p.hold, note=note)
        _set_hold(p, p.quota, Hold.NONE)


# --- the clerk's other actions ----------------------------------------------------

def proposal_withdraw(*, proposal: Proposal, by, comment: str = "") -> Proposal:
    """撤回 from any open state; the reserved slot is released."""
    _check_comment(comment)
    _require_clerk(proposal, by)
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        if not can_proceed(current.withdraw):
            raise _wrong_state(current, _("撤回"))
        from_state = current.state
        current.withdraw()
        _release(current, by, note=_("撤回"))
        current.decided_at = timezone.now()
        current.save()
        _event(current, by, ProposalEvent.Step.CLERK, "withdraw", from_state, comment)
        _advance(process, by)
        return current


def proposal_cancel(*, proposal: Proposal, by, comment: str = "") -> Proposal:
    """An approved item that will not happen: its committed slot is released."""
    _check_comment(comment)
    _require_clerk(proposal, by)
    if not comment.strip():
        raise SubmissionRefused(_("取消已批准事项时请写明原因。"), code="comment_required")
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        if not can_proceed(current.cancel):
            raise _wrong_state(current, _("取消"))
        current.cancel()
        _release(current, by, note=_("取消已批准事项"))
        current.save()
        _event(current, by, ProposalEvent.Step.CLERK, "cancel", State.APPROVED, comment)
        _advance(process, by)
        return current


def proposal_complete(*, proposal: Proposal, by, doc_number: str = "", issued_on=None,
                      actual_attendees: int | None = None, actual_cost=None, comment: str = "") -> Proposal:
    """办结: 文号 and issue date for documents; attendance and cost for meetings."""
    _check_comment(comment)
    _require_clerk(proposal, by)
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        if not can_proceed(current.complete):
            raise _wrong_state(current, _("登记办结"))
        problems = _completion_problems(current, doc_number, issued_on, actual_attendees, actual_cost)
        if problems:
            raise SubmissionRefused(problems[0].message, code="invalid", problems=problems)
        if current.kind == "document":
            current.doc_number, current.issued_on = doc_number.strip(), issued_on
        else:
            current.actual_attendees = actual_attendees
            current.actual_cost = actual_cost if actual_cost is not None else rules.meeting_cost(
                meeting_class=current.meeting_class, attendees=actual_attendees,
                days=current.meeting_days,
            )
        current.complete()
        current.completed_at = timezone.now()
        current.save()
        _event(current, by, ProposalEvent.Step.CLERK, "complete", State.APPROVED, comment)
        _advance(process, by)
        return current


def _completion_problems(p, doc_number, issued_on, actual_attendees, actual_cost):
    required = _("此项为必填项。")
    problems = []
    if p.kind == "document":
        if not (doc_number or "").strip():
            problems.append(rules.Problem("doc_number", "required", _("请填写文号。")))
        if issued_on is None:
            problems.append(rules.Problem("issued_on", "required", required))
    else:
        if actual_attendees is None:
            problems.append(rules.Problem("actual_attendees", "required", _("请填写实际参会人数。")))
        elif actual_attendees < 0 or actual_attendees > 100_000:
            problems.append(rules.Problem("actual_attendees", "out_of_range", _("实际参会人数超出合理范围。")))
        if actual_cost is not None and (actual_cost < 0 or actual_cost > 10**10):
            problems.append(rules.Problem("actual_cost", "out_of_range", _("实际会议成本超出合理范围。")))
    return problems
