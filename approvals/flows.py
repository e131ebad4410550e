"""The review workflow. Every state change of a Proposal happens in
approvals.services, which finishes the current task of this flow in the same
transaction; the Switch gateways then route on the state the service set."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .models import ProposalProcess, State
from .permissions import clerk_perm, head_perm, leader_perm, office_perm
from .views import TaskRedirectView


# Task lists are filtered per user by the task permissions, so titles may show.
TASK_SUMMARY = (
    "{{ process.artifact.department.name }}：{{ process.artifact.title }}"
    "（{{ process.artifact.get_state_display }}）"
)


def _state_is(*states):
    def condition(activation):
        return activation.process.artifact.state in states

    return condition


def _department(activation):
    return activation.process.artifact.department_id


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
        .Permission(lambda activation: head_perm(_department(activation)))
        .Next(this.after_head)
    )
    after_head = (
        flow.Switch()
        .Case(this.office_review, _state_is(State.OFFICE_REVIEW))
        .Case(this.revise, _state_is(State.RETURNED))
        .Default(this.end)
    )

    office_review = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("减负办审核"), summary_template=TASK_SUMMARY)
        .Permission(lambda activation: office_perm(_department(activation)))
        .Next(this.after_office)
    )
    after_office = (
        flow.Switch()
        .Case(this.leader_review, _state_is(State.LEADER_REVIEW))
        .Case(this.outcome, _state_is(State.APPROVED))
        .Case(this.revise, _state_is(State.RETURNED))
        .Default(this.end)
    )

    leader_review = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("领导小组审批"), summary_template=TASK_SUMMARY)
        .Permission(lambda activation: leader_perm(_department(activation)))
        .Next(this.after_leader)
    )
    after_leader = (
        flow.Switch()
        .Case(this.outcome, _state_is(State.APPROVED))
        .Case(this.revise, _state_is(State.RETURNED))
        .Default(this.end)
    )

    revise = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("退回修改后重新提交"), summary_template=TASK_SUMMARY)
        .Permission(lambda activation: clerk_perm(_department(activation)))
        .Assign(lambda activation: activation.process.artifact.created_by)
        .Next(this.after_revise)
    )
    after_revise = (
        flow.Switch()
        .Case(this.head_sign, _state_is(State.HEAD_REVIEW))
        .Default(this.end)
    )

    outcome = (
        flow.View(TaskRedirectView.as_view())
        .Annotation(title=_("登记办理结果"), summary_template=TASK_SUMMARY)
        .Permission(lambda activation: clerk_perm(_department(activation)))
        .Assign(lambda activation: activation.process.artifact.created_by)
        .Next(this.end)
    )

    end = flow.End()

    def has_view_permission(self, user, obj=None):
        """Everyone with a role uses the inbox; what each sees is filtered by
        the per-department task permissions (approvals.permissions)."""
        if not (user.is_authenticated and (user.is_superuser or bool(user.roles))):
            return False
        if obj is not None:
            from .access import visible_proposals

            return visible_proposals(user).filter(pk=obj.artifact_object_id).exists()
        return True

    def start_process(self, activation, proposal):
        # The activation saves the process right after this: one INSERT, no UPDATE.
        activation.process.artifact = proposal
        return activation.process
