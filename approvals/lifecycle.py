"""The proposal lifecycle, written once: states, steps, actions and the table of
what each action does. Services, policy, the flow's routing, templates, the API
and the report read it; nothing else lists transitions.

Adding an action is a row in TABLE (and its checks in services); adding a kind
touches none of this — a kind is data plus its rule module.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    HEAD_REVIEW = "head_review", _("部门负责人审签")
    OFFICE_REVIEW = "office_review", _("减负办审核")
    LEADER_REVIEW = "leader_review", _("领导小组审批")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    COMPLETED = "completed", _("已办结")
    CANCELLED = "cancelled", _("已取消")


class Step(models.TextChoices):
    """Who acts: the audit trail's 环节 and the policy's question."""

    CLERK = "clerk", _("经办人")
    HEAD = "head", _("部门负责人")
    OFFICE = "office", _("减负办")
    LEADER = "leader", _("领导小组")
    SYSTEM = "system", _("系统")


class Action(models.TextChoices):
    """Everything a person can do to a proposal (the audit trail's 操作)."""

    CREATE = "create", _("起草")
    EDIT = "edit", _("修改")
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不予通过")
    RETURN = "return", _("退回修改")
    ESCALATE = "escalate", _("提级")
    WITHDRAW = "withdraw", _("撤回")
    CANCEL = "cancel", _("取消")
    COMPLETE = "complete", _("登记办结")


class QuotaEffect(models.TextChoices):
    """What an action does to the slot the proposal holds."""

    KEEP = "keep", _("不变")
    RESERVE = "reserve", _("占用")
    COMMIT = "commit", _("确认（特事特办：超额计入）")
    RELEASE = "release", _("释放")


OPEN_STATES = (State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW, State.RETURNED)
REVIEW_STATES = (State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW)
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
# Submitted and not given up: what such an item occupies (a planned item, a visit) stays taken.
LIVE_STATES = OPEN_STATES + (State.APPROVED, State.COMPLETED)
# The human step waiting in each state, and the flow node that holds its task.
STEP_OF_STATE = {
    State.HEAD_REVIEW: Step.HEAD, State.OFFICE_REVIEW: Step.OFFICE,
    State.LEADER_REVIEW: Step.LEADER, State.RETURNED: Step.CLERK, State.APPROVED: Step.CLERK,
}
NODE_OF_STATE = {
    State.HEAD_REVIEW: "head_sign", State.OFFICE_REVIEW: "office_review",
    State.LEADER_REVIEW: "leader_review", State.RETURNED: "revise", State.APPROVED: "outcome",
}
# The to-do's (and API's) name for the task waiting in each state: the deciding
# step's name, or for the clerk's two tasks the node's (revise / outcome).
TASK_STEP = {state: NODE_OF_STATE[state] if step == Step.CLERK else str(step.value)
             for state, step in STEP_OF_STATE.items()}
DECISIONS = (Action.APPROVE, Action.RETURN, Action.REJECT, Action.ESCALATE)


@dataclass(frozen=True)
class Rule:
    """One row: `step` may take `action` from `sources` to `target`.

    `target` None means the office's approval, routed by escalate_on_approval():
    to the leader when the item has escalation reasons (提级), else approved.
    """

    action: str
    step: str
    sources: tuple
    target: str | None
    quota: str = QuotaEffect.KEEP
    comment_required: bool = False
    button: str = ""  # the decision's label on the page when it differs from the action's

    @property
    def label(self) -> str:
        return str(self.button or Action(self.action).label)


TABLE = (
    Rule(Action.SUBMIT, Step.CLERK, EDITABLE_STATES, State.HEAD_REVIEW, QuotaEffect.RESERVE),
    Rule(Action.APPROVE, Step.HEAD, (State.HEAD_REVIEW,), State.OFFICE_REVIEW, button=_("同意（审签）")),
    Rule(Action.RETURN, Step.HEAD, (State.HEAD_REVIEW,), State.RETURNED, comment_required=True),
    Rule(Action.APPROVE, Step.OFFICE, (State.OFFICE_REVIEW,), None, QuotaEffect.COMMIT),
    Rule(Action.RETURN, Step.OFFICE, (State.OFFICE_REVIEW,), State.RETURNED, comment_required=True),
    Rule(Action.REJECT, Step.OFFICE, (State.OFFICE_REVIEW,), State.REJECTED, QuotaEffect.RELEASE,
         comment_required=True),
    Rule(Action.ESCALATE, Step.OFFICE, (State.OFFICE_REVIEW,), State.LEADER_REVIEW,
         button=_("提级至领导小组")),
    Rule(Action.APPROVE, Step.LEADER, (State.LEADER_REVIEW,), State.APPROVED, QuotaEffect.COMMIT),
    Rule(Action.RETURN, Step.LEADER, (State.LEADER_REVIEW,), State.RETURNED, comment_required=True),
    Rule(Action.REJECT, Step.LEADER, (State.LEADER_REVIEW,), State.REJECTED, QuotaEffect.RELEASE,
         comment_required=True),
    Rule(Action.WITHDRAW, Step.CLERK, OPEN_STATES, State.WITHDRAWN, QuotaEffect.RELEASE),
    Rule(Action.CANCEL, Step.CLERK, (State.APPROVED,), State.CANCELLED, QuotaEffect.RELEASE,
         comment_required=True),
    Rule(Action.COMPLETE, Step.CLERK, (State.APPROVED,), State.COMPLETED),
)
# Acts on a draft without moving its state; the policy answers for them too.
CLERK_ONLY = (Action.EDIT,)
SOURCE_STATES = tuple(sorted({s for rule in TABLE for s in rule.sources}))
TARGET_STATES = tuple(sorted({rule.target for rule in TABLE if rule.target}
                             | {State.APPROVED, State.LEADER_REVIEW}))


def rule_for(action: str, state: str) -> Rule | None:
    """The row for `action` from `state`, if the lifecycle allows it."""
    for rule in TABLE:
        if rule.action == action and state in rule.sources:
            return rule
    return None


def rules_from(state: str) -> list[Rule]:
    return [rule for rule in TABLE if state in rule.sources]


def target_of(rule: Rule, proposal) -> str:
    """Where `rule` takes `proposal`: the office's approval forwards an item with
    escalation reasons (or an emergency request) to the leader (提级)."""
    if rule.target is not None:
        return rule.target
    return State.LEADER_REVIEW if (proposal.escalations or proposal.emergency) else State.APPROVED
