"""The review workflow (the engine). Every state change of a Proposal happens in
approvals.services, which finishes the current task of this flow in the same
transaction; each Switch then routes to the node that holds the new state's
task (approvals.lifecycle.NODE_OF_STATE), or ends the process. Who may pick up
a task is approvals.policy's to say."""

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from . import policy
from .lifecycle import NODE_OF_STATE, Step
from .models import ProposalProcess


# Task lists are filtered per user by the task permissions, so titles may show.
TASK_SUMMARY = (
    "{{ process.artifact.department.name }}：{{ process.artifact.title }}"
    "（{{ process.artifact.get_state_display }}）"
)


class TaskRedirectView(View):
    """viewflow's task page for every step: the decision form lives on the
    proposal's own page, which web and API share through the services.
    (Here, not in views.py: flows → views → services → flows was an import loop.)"""

    def get(self, request, *args, **kwargs):
        return redirect("approvals:detail", pk=request.activation.process.artifact_object_id)

    post = get


def _state_is(state):
    def condition(activation):
        return activation.process.artifact.state == state

    return condition


def _route():
    """After any human step: on to the node of the state the service set, or the end."""
    switch = flow.Switch()
    for state, node in NODE_OF_STATE.items():
        switch = switch.Case(getattr(this, node), _state_is(state))
    return switch.Default(this.end)


def _task_permission(step):
    def permission(activation):
        return policy.task_permission(step, activation.process.artifact.department_id)

    return permission


class ProposalFlow(flow.Flow):
    process_class = ProposalProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("发文/会议审核")
    process_description = _("部门负责人审签 → 减负办审核 →（提级）领导小组审批")
    # Process lists are not filtered by department: no titles there.
    process_summary_template = "{{ process.artifact.department.name }} #{{ process.artifact_object_id }}"

    start = flow.StartHandle(this.start_process).Next(this.head_sign)

    head_sign = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("部门负责人审签"), summary_template=TASK_SUMMARY)
        .Permission(_task_permission(Step.HEAD))
        .Next(this.after_head)
    )
    after_head = _route()

    office_review = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("减负办审核"), summary_template=TASK_SUMMARY)
        .Permission(_task_permission(Step.OFFICE))
        .Next(this.after_office)
    )
    after_office = _route()

    leader_review = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("领导小组审批"), summary_template=TASK_SUMMARY)
        .Permission(_task_permission(Step.LEADER))
        .Next(this.after_leader)
    )
    after_leader = _route()

    revise = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("退回修改后重新提交"), summary_template=TASK_SUMMARY)
        .Permission(_task_permission(Step.CLERK))
        .Assign(lambda activation: activation.process.artifact.created_by)
        .Next(this.after_revise)
    )
    after_revise = _route()

    outcome = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("登记办理结果"), summary_template=TASK_SUMMARY)
        .Permission(_task_permission(Step.CLERK))
        .Assign(lambda activation: activation.process.artifact.created_by)
        .Next(this.end)
    )

    end = flow.End()

    def has_view_permission(self, user, obj=None):
        """The engine's own screens (English chrome, claiming) are a support tool
        for superusers; everyone else works in the to-do centre (approvals.todo)."""
        return user.is_authenticated and user.is_superuser

    def has_manage_permission(self, user, obj=None):
        """Nobody manages this flow through the engine, superusers included.

        viewflow gates its manage actions on this one permission: cancel, undo
        and revive of a task, cancel of a process, and taking a task away from
        its owner (unassign/reassign by another user). Each moved the engine
        without approvals.services, so a proposal stayed in review with its
        slot reserved and no open task (issue 10, defect 7). Every change goes
        through the services, which finish the task in the same transaction;
        an owner may still hand back their own task (the task stays open and
        the services re-assign it to whoever decides).
        """
        return False

    def start_process(self, activation, proposal):
        # The activation saves the process right after this: one INSERT, no UPDATE.
        activation.process.artifact = proposal
        return activation.process


def start_in_bulk(proposal) -> None:
    """The engine's rows for a first submission, as `ProposalFlow.start.run(
    proposal=…)` writes them — the process, its finished start task, the head's
    open task and the link between the two — in three INSERTs, without the
    activation's two savepoints and its lock on a process nobody else can see
    yet (nine statements, and most of the submission's Python). No signal
    receivers listen to this flow. tests/test_flow_bulk_start.py compares every
    column with what the engine writes."""
    now = timezone.now()
    process = ProposalProcess.objects.create(flow_class=ProposalFlow, artifact=proposal)
    start, head = Task.objects.bulk_create([
        Task(process=process, flow_task=ProposalFlow.start, flow_task_type=ProposalFlow.start.task_type,
             status=STATUS.DONE, token=Token("start"), started=now, finished=now),
        Task(process=process, flow_task=ProposalFlow.head_sign, flow_task_type=ProposalFlow.head_sign.task_type,
             status=STATUS.NEW, token=Token("start"),
             owner_permission=policy.task_permission(Step.HEAD, proposal.department_id)),
    ])
    Task.previous.through.objects.create(from_task=head, to_task=start)
