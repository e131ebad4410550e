"""Every change to a proposal: create, edit, submit, decide, withdraw, cancel, complete.

Each public function is one transaction. The actions that move a proposal's
state all go through `_transition`: it takes the flow's lock on the process
row (SELECT … FOR UPDATE NOWAIT, retried), re-reads the proposal under a row
lock, asks the policy whether this person may take this action now (role,
separation of duties, state — approvals.lifecycle.TABLE), lets the action do
its own checks and changes, then settles the quota as the table says, moves the
FSM state, writes the audit row and hands the engine's task on — all or
nothing. The race this prevents: two heads (or a head and a withdrawing clerk)
acting on the same proposal at once; the second waits for the lock and then
finds the state already moved.
"""

from contextlib import contextmanager, nullcontext
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from notifications.hooks import after_commit
from quotas.limits import TEXT_MAX_CHARS
from quotas.models import GRASSROOTS_LEVELS
from quotas.services import (
    COUNTERS, QuotaError, QuotaExhausted, parent_quotas, quota_commit, quota_override, quota_record_blocked,
    quota_release, quota_reserve,
)
from quotas.transactions import committing

from . import assessment, kinds, lifecycle, monthly, policy, rules
from .registry import registry_assign
from .errors import InvalidTransition, NotAllowed, ProposalError, QuotaRefused, SubmissionRefused  # noqa: F401
from .lifecycle import Action, QuotaEffect, State, Step
from .models import Attachment, Hold, Proposal, ProposalEvent, ProposalProcess
from .uploads import UploadRefused, check_upload
from .policy import MSG_NO_TASK, MSG_NOT_CLERK  # noqa: F401 (views name them)

MSG_NEEDS_COMMENT = gettext_noop("退回或不予通过时请写明意见。")
MSG_NEEDS_REASON = gettext_noop("取消已批准事项时请写明原因。")
MSG_COMMENT_TOO_LONG = gettext_noop("意见不能超过 {limit} 字。")
MSG_JOINT_LEAD = gettext_noop(
    "联合发文计入牵头部门的年度总量，须由牵头部门的经办人起草提交。本部门不牵头时，"
    "请由牵头部门发起，并把本部门列为联合发文单位。"
)
MSG_CO_DEPARTMENT = gettext_noop("联合发文单位须是其他发文部门，不能是本部门。")
MSG_KIND_FIXED = gettext_noop("草稿的类别不能修改。")
COMMENT_MAX_CHARS = TEXT_MAX_CHARS
# The ledger note of a released slot, by the action that released it.
RELEASE_NOTES = {Action.WITHDRAW: gettext_noop("撤回"), Action.CANCEL: gettext_noop("取消已批准事项")}
DECIDED_STATES = (State.APPROVED, State.REJECTED, State.WITHDRAWN)


# --- the one skeleton of a state change --------------------------------------------

@dataclass
class Change:
    """What the action's body sees and may adjust inside `_transition`."""

    proposal: Proposal
    rule: lifecycle.Rule
    from_state: str
    comment: str = ""
    # Run after every other write, just before the commit: taking the quota's
    # slot locks its row, and every other submitter of that department waits for
    # it until the commit — so it comes last (the December rush on one quota).
    last: Callable[[], None] | None = None


@contextmanager
def _transition(proposal: Proposal, by, action: str, *, comment: str = ""):
    """Lock, re-read, check (policy), run the body, settle the quota, move the
    state, write the audit row, hand the engine's task on. See the module doc."""
    _check_comment(comment)
    context, process = _locked(proposal)
    with context:
        current = _reload(proposal)
        as_read = _columns(current)
        if process is None and current.state != State.DRAFT:
            process = _lock_late(current)
        rule = policy.require(by, current, action)
        principal = policy.on_behalf_of(by, current, rule.step)  # 代理: decided as "X（代 Y）"
        task = _open_task_of(process)
        if rule.step != Step.CLERK and task is None:
            raise InvalidTransition(_(MSG_NO_TASK).format(state=current.get_state_display()))
        if rule.comment_required and not comment.strip():
            message = MSG_NEEDS_REASON if action == Action.CANCEL else MSG_NEEDS_COMMENT
            raise SubmissionRefused(_(message), code="comment_required", problems=[
                rules.Problem("comment", "comment_required", _(message))])
        change = Change(current, rule, current.state, comment)
        yield change
        target = lifecycle.target_of(rule, current)
        if target == State.APPROVED:
            _check_approvable(current)
        _settle_quota(current, rule, target, by)
        current.change_state(target)
        if target in DECIDED_STATES:
            current.decided_at = timezone.now()
        current.save(update_fields=_changed(current, as_read))
        event = _event(current, by, rule.step, action, change.from_state, change.comment, on_behalf_of=principal)
        after_commit(event)  # notifications: reached a to-do, returned, decided
        if process is None:
            _start_process(current)
        elif task is not None:
            _finish_task(task, by)
        if change.last is not None:
            change.last()


def _check_approvable(p: Proposal) -> None:
    """What the kind checks again as the item becomes approved (e.g. the visits
    to one unit, counted under that unit's lock so two approvals cannot both
    take the last visit)."""
    problems = kinds.approval_problems(p)
    if problems:
        raise InvalidTransition(problems[0].message, code=problems[0].code, problems=problems)


def _settle_quota(p: Proposal, rule, target, by) -> None:
    """The table's quota effect (a submission reserves in its own body). An item
    that becomes approved gets its 减负备案号 here, in the same transaction."""
    if rule.quota == QuotaEffect.COMMIT and target == State.APPROVED:
        if p.hold == Hold.RESERVED:
            # The parents it reserved at submission: committed where they were taken.
            parents = list(p.parent_quotas.all())
            entries = [quota_commit(quota=quota, source=p, by=by) for quota in [p.quota, *parents]]
            held = Hold.COMMITTED
        else:
            # 特事特办: counted beyond the cap, in the parents' quotas too.
            parents = parent_quotas(department=p.department, year=p.quota.year, kind=p.kind)
            entries = [quota_override(quota=quota, source=p, by=by, note=p.justification)
                       for quota in [p.quota, *parents]]
            p.parent_quotas.set(parents)
            held = Hold.OVERRIDDEN
        _set_hold(p, entries[0].quota, held)
        monthly.commit(p, [p.quota, *parents], by)
        registry_assign(p)
    elif rule.quota == QuotaEffect.RELEASE:
        _set_hold(p, _release_all(p, by, RELEASE_NOTES.get(rule.action, "")), Hold.NONE)


def _release_all(p: Proposal, by, note: str):
    """Give back every slot the proposal holds: of its own quota, its parents'
    and their monthly caps (approvals.monthly). Returns the own quota, with its
    counters after the release if it held a slot of it."""
    note = _(note) if note else ""
    own = p.quota
    if p.hold != Hold.NONE:
        entries = [quota_release(quota=quota, source=p, by=by, held=p.hold, note=note)
                   for quota in [p.quota, *p.parent_quotas.all()]]
        p.parent_quotas.clear()
        own = entries[0].quota
    monthly.release(p, by, note)
    return own


def _set_hold(proposal, quota, hold) -> None:
    """Record which counter the proposal occupies; the caller's save() writes it."""
    proposal.quota, proposal.hold = quota, hold


def _check_comment(comment: str) -> None:
    if len(comment) > COMMENT_MAX_CHARS:
        message = _(MSG_COMMENT_TOO_LONG).format(limit=COMMENT_MAX_CHARS)
        raise SubmissionRefused(message, code="invalid",
                                problems=[rules.Problem("comment", "too_long", message)])


# --- plumbing: the engine ------------------------------------------------------------

def _flow():
    from .flows import ProposalFlow

    return ProposalFlow


def _start_process(proposal: Proposal) -> None:
    """A first submission starts the flow: its start leads to the head's task."""
    from .flows import start_in_bulk

    start_in_bulk(proposal)


def _processes_of(proposal: Proposal):
    return ProposalProcess.objects.filter(
        flow_class=_flow(), artifact_object_id=proposal.pk, artifact_content_type__model="proposal",
    ).order_by("-pk")


def _process_of(proposal: Proposal):
    return _processes_of(proposal).first()


def open_task(proposal: Proposal):
    """The proposal's current human task, if any: the open task of its latest
    process, in one query (the decision page asks for it)."""
    latest = Subquery(_processes_of(proposal).values("pk")[:1])
    return _open_tasks(Task.objects.filter(process_id=latest)).first()


def _open_tasks(tasks):
    return tasks.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).order_by("-pk")


def _open_task_of(process):
    if process is None:
        return None
    return _open_tasks(process.task_set.all()).first()


def _finish_task(task, by) -> None:
    """Complete a viewflow task as `by`, so the flow routes on the new state."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(by)
    elif task.owner_id != by.pk:
        activation.reassign(by)
    activation.start(None)
    activation.execute()


def _locked(proposal: Proposal):
    """Context: one transaction, holding the flow lock if a process exists
    (viewflow's lock opens the transaction itself, so no savepoint is added
    inside it); the caller then row-locks the proposal with _reload()."""
    # A draft has never been submitted, so it has no process to look for or lock
    # (_transition takes it late if the caller's copy was out of date).
    process = None if proposal.state == State.DRAFT else _process_of(proposal)
    if process is None:
        return committing(transaction.atomic()), None
    return committing(_flow().lock(process.pk)), process


def _lock_late(current: Proposal):
    """The caller's copy said draft (so _locked took no flow lock) but the row is
    past it: take the process's lock now. Its row lock lasts to our commit (a
    lock outlives the savepoint viewflow's lock opens); NOWAIT means no
    deadlock with a holder of the flow lock waiting for our proposal row — we
    answer "busy" instead."""
    process = _process_of(current)
    if process is not None:
        with _flow().lock(process.pk):
            pass
    return process


def _columns(proposal: Proposal) -> dict:
    return {f.attname: getattr(proposal, f.attname) for f in Proposal._meta.concrete_fields}


def _changed(proposal: Proposal, as_read: dict) -> list[str]:
    """The columns the action changed (and the modification time): the UPDATE
    writes those, not all sixty."""
    return ["updated_at"] + [name for name, value in _columns(proposal).items()
                             if value != as_read[name] and name != "updated_at"]


def _reload(proposal: Proposal) -> Proposal:
    """The proposal re-read under a row lock, with the department the checks read."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("department", "quota__department")
        .get(pk=proposal.pk)
    )


def _event(proposal, by, step, action, from_state, comment="", *, on_behalf_of=None):
    return ProposalEvent.objects.create(
        proposal=proposal, actor=by, step=step, action=action,
        from_state=from_state, to_state=proposal.state, comment=comment, on_behalf_of=on_behalf_of,
    )


# --- drafting -----------------------------------------------------------------

# The closed write contract of a draft: what a clerk may set on some kind
# (approvals.kinds). Department, author, state, quota hold, escalation and
# outcome fields are the services' own.
DRAFT_FIELDS = kinds.DRAFT_FIELDS - kinds.RELATED_FIELDS
MSG_UNITS = gettext_noop("被检查单位须是乡镇或村级基层单位。")


def proposal_create(*, by, kind: str, department=None, lead_department=None, co_departments=(),
                    units=(), **fields) -> Proposal:
    """A clerk drafts a proposal for their own department (which leads it if joint);
    `department`, when given, must be that department."""
    policy.require_draft(by)
    if department is not None and department.pk != by.department_id:
        raise NotAllowed(_(MSG_NOT_CLERK))
    _check_draft_fields(fields)
    check_joint(by.department_id, lead_department, co_departments)
    check_units(units)
    proposal = Proposal(department_id=by.department_id, created_by=by, kind=kind, **fields)
    # Department and author are the caller's own: no need to ask the database they exist.
    # Every CHECK and unique constraint is said in words by clean() and the field
    # validators, and enforced by the database: no query per constraint here.
    proposal.full_clean(exclude=["state", "department", "created_by"], validate_unique=False,
                        validate_constraints=False)
    with committing(transaction.atomic()):
        proposal.save()
        if co_departments:
            proposal.co_departments.set(co_departments)
        if units:
            proposal.units.set(units)
        _event(proposal, by, Step.CLERK, Action.CREATE, State.DRAFT)
    return proposal


def proposal_update(*, proposal: Proposal, by, kind=None, department=None, lead_department=None,
                    co_departments=None, units=None, **fields) -> Proposal:
    """Edit while draft or returned, only by a clerk of its department. Kind and
    department never change (naming them again is allowed); `co_departments=None`
    leaves the co-issuers as they are."""
    _check_draft_fields(fields)
    with committing(transaction.atomic()):
        current = _reload(proposal)
        policy.require(by, current, Action.EDIT)
        if department is not None and department.pk != current.department_id:
            raise NotAllowed(_(MSG_NOT_CLERK))
        if kind is not None and kind != current.kind:
            raise SubmissionRefused(_(MSG_KIND_FIXED), code="invalid", problems=[
                rules.Problem("kind", "invalid", _(MSG_KIND_FIXED))])
        check_joint(current.department_id, lead_department, co_departments or ())
        check_units(units or ())
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean(exclude=["state"], validate_unique=False, validate_constraints=False)
        current.save()
        if co_departments is not None:
            current.co_departments.set(co_departments)
        if units is not None:
            current.units.set(units)
    return current


def check_units(units) -> None:
    if any(unit.level not in GRASSROOTS_LEVELS for unit in units):
        raise SubmissionRefused(_(MSG_UNITS), code="invalid", problems=[
            rules.Problem("units", "invalid", _(MSG_UNITS))])


def _check_draft_fields(fields) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        # A programming error, not a user's: views and serializers pass only these.
        raise TypeError(f"not editable in a draft: {', '.join(sorted(unknown))}")


def check_joint(department_id, lead_department, co_departments) -> None:
    """No department's counters move without its consent: a joint document is
    charged to the department that files it, so only it can be the lead."""
    if lead_department is not None and lead_department.pk != department_id:
        raise SubmissionRefused(_(MSG_JOINT_LEAD), code="joint_lead_must_file", problems=[
            rules.Problem("lead_department", "joint_lead_must_file", _(MSG_JOINT_LEAD))])
    if any(d.pk == department_id or not d.issues_proposals for d in co_departments):
        raise SubmissionRefused(_(MSG_CO_DEPARTMENT), code="invalid", problems=[
            rules.Problem("co_departments", "invalid", _(MSG_CO_DEPARTMENT))])


# --- attachments (正文 and 附件) ---------------------------------------------------

def attachment_add(*, proposal: Proposal, by, upload, role: str = Attachment.Role.ANNEX) -> Attachment:
    """A clerk of the item's department adds its text or an annex while it is a
    draft or returned. The type is checked by content (approvals.uploads)."""
    if role not in Attachment.Role.values:
        raise SubmissionRefused(_("附件类别只能是正文或附件。"), code="invalid", problems=[
            rules.Problem("role", "invalid", _("附件类别只能是正文或附件。"))])
    try:
        checked = check_upload(upload)
    except UploadRefused as refused:
        raise SubmissionRefused(str(refused), code=refused.problem.code, problems=[refused.problem]) from None
    with committing(transaction.atomic()):
        current = _reload(proposal)
        policy.require(by, current, Action.EDIT)
        attachment = Attachment(proposal=current, role=role, name=checked.name, size=checked.size,
                                content_type=checked.content_type, sha256=checked.sha256, uploaded_by=by)
        # The file is written before the row; a rolled-back row leaves an orphan
        # file in storage, never a row without its file.
        attachment.file.save(checked.name, upload, save=False)
        attachment.save()
    return attachment


def attachment_remove(*, attachment: Attachment, by) -> None:
    """Take an attachment off a draft or returned item (the file goes too)."""
    with committing(transaction.atomic()):
        current = _reload(attachment.proposal)
        policy.require(by, current, Action.EDIT)
        Attachment.objects.filter(pk=attachment.pk).delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))


# --- submission (总量熔断 happens here) --------------------------------------------

def proposal_submit(*, proposal: Proposal, by, emergency: bool = False, justification: str = "",
                    emergency_category: str = "") -> Proposal:
    """Reserve a slot of the quota of the proposal's year and send it to the head.

    When the quota is tripped the submission is refused and only a `blocked`
    ledger entry remains — written after the refused transaction rolled back.
    An emergency request (特事特办) with a justification goes on without a slot;
    only the leader can approve it, and then it counts as overridden. A monthly
    inspection cap lets only emergencies in 安全生产 and 自然灾害
    (`emergency_category`) past it that way (approvals.monthly).
    """
    try:
        return _submit(proposal, by, emergency, justification.strip(), emergency_category)
    except QuotaExhausted as refused:
        full = refused.month or refused.quota
        quota_record_blocked(quota=full, source=proposal, by=by)
        raise QuotaRefused(str(refused), quota=refused.quota, month=refused.month,
                           problems=[assessment.quota_problem(full)]) from None
    except QuotaError as refused:
        raise SubmissionRefused(str(refused), code=refused.code) from None


def _submit(proposal, by, emergency, justification, emergency_category):
    with _transition(proposal, by, Action.SUBMIT) as change:
        current = change.proposal
        # The same function answers the preview (approvals.assessment): what it
        # lists is exactly what refuses the submission.
        checked = assessment.assess(current, emergency=emergency, justification=justification,
                                    emergency_category=emergency_category)
        if checked.blocking:
            first = checked.blocking[0]
            raise SubmissionRefused(first.message, code=first.code, problems=checked.problems)
        change.last = _hold_slot(current, checked, by, emergency)
        if checked.cost is not None:
            current.estimated_cost, current.cost_formula = checked.cost
        current.submitted_at = timezone.now()
        change.comment = justification if emergency else ""
    return current


def _hold_slot(proposal, checked, by, emergency):
    """Make sure the proposal holds a slot of its quota and of every parent quota
    (the city's cap beside the department's) — all of them or none; as 特事特办
    past a tripped cap, none until the leader approves. Then the same for the
    monthly caps of those quotas (approvals.monthly).

    The proposal is written as holding them, and the step that takes them is
    returned for _transition to run last. The guarded UPDATE then decides: a
    full quota refuses (the transaction rolls back) or, for 特事特办, leaves the
    item without a slot; its escalations follow the counters it found."""
    take_year = _hold_year(proposal, checked, by, emergency)
    quotas = [checked.quota, *checked.parents]

    def take() -> None:
        if take_year is not None:
            take_year()
        # The months last: a city's month is as hot a row as its year.
        held = proposal.monthly_hold
        monthly.hold(proposal, quotas, by)
        if proposal.monthly_hold != held:
            proposal.save(update_fields=["monthly_hold"])

    return take


def _hold_year(proposal, checked, by, emergency):
    """The annual slots (see _hold_slot): None when a returned item keeps them,
    else the step that takes them."""
    quota = checked.quota
    if checked.keeps_slot:
        # Returned for revision keeps its reservations (the counters as read escalate it).
        proposal.escalations = checked.escalations
        return None
    if proposal.hold == Hold.RESERVED or proposal.monthly_hold != Hold.NONE:
        # The planned date moved to another year: give back the old year's slots.
        _release_all(proposal, by, gettext_noop("计划日期改到其他年度"))
    parents = checked.parents
    _set_hold(proposal, quota, Hold.RESERVED)
    proposal.escalations = checked.escalations  # as if the slot is taken; checked again below
    if parents:
        proposal.parent_quotas.set(parents)

    def take() -> None:
        try:
            # A savepoint only when there is more than one slot to take: a parent that
            # is full undoes the department's reservation (the race: two departments'
            # clerks taking the city's last slot; the guarded UPDATE lets one through).
            with transaction.atomic() if parents else nullcontext():
                for each in [quota, *parents]:
                    quota_reserve(quota=each, source=proposal, by=by)
        except QuotaExhausted:
            if not emergency:
                raise
            _set_hold(proposal, quota, Hold.NONE)
            if parents:
                proposal.parent_quotas.clear()
            quota.refresh_from_db(fields=COUNTERS)  # a parent's refusal undid our own slot too
        else:
            if quota.breaker_state == checked.quota_after.breaker_state:
                return  # the counters it found escalate it as predicted: nothing to rewrite
        proposal.escalations = rules.escalations(proposal, quota=quota, under_planning=checked.under_planning)
        proposal.save(update_fields=["hold", "quota", "escalations"])

    return take


# --- review decisions ----------------------------------------------------------

def proposal_decide(*, proposal: Proposal, by, decision: str, comment: str = "") -> Proposal:
    """The head, the review office or the leader decides the current review task."""
    if decision not in lifecycle.DECISIONS:
        raise SubmissionRefused(_("未知的决定：{d}").format(d=decision), code="invalid")
    with _transition(proposal, by, decision, comment=comment) as change:
        if decision == Action.ESCALATE:
            change.proposal.manual_escalation = True
            change.proposal.escalations = rules.escalations(
                change.proposal, quota=change.proposal.quota, manual_reason=comment.strip())
    return change.proposal


def decisions_for(proposal: Proposal, user) -> list[lifecycle.Rule]:
    """The decisions `user` may make on the proposal now (empty: not theirs to decide)."""
    return [rule for rule in policy.actions_for(user, proposal) if rule.action in lifecycle.DECISIONS]


# --- the clerk's other actions ----------------------------------------------------

def proposal_withdraw(*, proposal: Proposal, by, comment: str = "") -> Proposal:
    """撤回 from any open state; the reserved slot is released."""
    with _transition(proposal, by, Action.WITHDRAW, comment=comment) as change:
        pass
    return change.proposal


def proposal_cancel(*, proposal: Proposal, by, comment: str = "") -> Proposal:
    """An approved item that will not happen: its committed slot is released."""
    with _transition(proposal, by, Action.CANCEL, comment=comment) as change:
        pass
    return change.proposal


def proposal_complete(*, proposal: Proposal, by, comment: str = "", **outcome) -> Proposal:
    """办结: what the kind records (approvals.kinds: 文号 and issue date for
    documents; attendance and cost for meetings)."""
    with _transition(proposal, by, Action.COMPLETE, comment=comment) as change:
        current = change.proposal
        recorder = kinds.of(current.kind)
        problems = recorder.completion_problems(current, **outcome)
        if problems:
            raise SubmissionRefused(problems[0].message, code="invalid", problems=problems)
        recorder.record_outcome(current, **outcome)
        current.completed_at = timezone.now()
    return current
