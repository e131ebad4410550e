"""Submission checks, escalation rules (提级) and meeting cost (会议成本): plain functions.
What differs between kinds lives in approvals.kinds; this is what they share."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.models import Kind, MeetingCostRate, MeetingFreeRule

from . import kinds
from .models import Proposal
from .problems import Problem


def meeting_free_rules_hit(day) -> list[MeetingFreeRule]:
    return [rule for rule, _day in kinds.meeting.meeting_free_hits(day, day)]


def required_problems(p: Proposal) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = []
    if not p.title.strip():
        problems.append(Problem("title", "required", missing))
    if not p.necessity.strip():
        problems.append(Problem("necessity", "required", _("请写明必要性说明。")))
    if not p.target_levels:
        problems.append(Problem("target_levels", "required", _("请选择面向的基层层级。")))
    return problems + kinds.of(p.kind).required_problems(p)


def rule_problems(p: Proposal) -> list[Problem]:
    """Rules a draft may break (the form warns) but a submission may not."""
    return kinds.of(p.kind).rule_problems(p)


def submission_problems(p: Proposal) -> list[Problem]:
    return required_problems(p) + rule_problems(p)


# 提级 reasons are stored as codes with their figures and put into words when
# shown, in the reader's language (not the submitter's).
ESCALATION_TEXTS = {
    "emergency": gettext_noop("特事特办申请（超额说明：{text}）"),
    "quota_warning": gettext_noop("本部门{kind}总量已达预警线（{used}/{cap}）"),
    "grassroots_attendees": gettext_noop("乡镇及以下参会 {n} 人，超过 {limit} 人"),
    "principals_required": gettext_noop("要求基层主要负责同志参会"),
    "one_vote_veto": gettext_noop("设置“一票否决”"),
    "responsibility_pledge": gettext_noop("要求基层签订责任状"),
    "forms_required": gettext_noop("要求基层填报表格或报送材料 {n} 项"),
    "manual": gettext_noop("减负办审核人提级"),
}


def escalations(p: Proposal, *, quota=None) -> list[dict]:
    """Why this proposal goes on to the leader (提级): [{"code", …figures}]."""
    reasons = []
    if p.emergency:
        reasons.append({"code": "emergency", "text": p.justification})
    if quota is not None and quota.breaker_state == "warning":
        reasons.append({"code": "quota_warning", "kind": quota.kind, "used": quota.used, "cap": quota.cap})
    reasons += kinds.of(p.kind).escalations(p)
    if p.manual_escalation:
        reasons.append({"code": "manual"})
    return reasons


def describe_escalation(reason: dict) -> str:
    """One stored reason in words, in the active language."""
    template = ESCALATION_TEXTS.get(reason.get("code"))
    if template is None:  # stored as text before reasons were codes
        return str(reason.get("text", reason.get("code", "")))
    figures = {k: v for k, v in reason.items() if k != "code"}
    if "kind" in figures:
        figures["kind"] = Kind(figures["kind"]).label
    return _(template).format(**figures)


def meeting_cost(*, meeting_class: int | None, attendees: int, days: int) -> Decimal:
    """会议成本 = 人数 × 天数 × (该类会议综合定额 + 人均误工成本)."""
    if not meeting_class or not attendees or not days:
        return Decimal("0.00")
    rate = MeetingCostRate.objects.filter(meeting_class=meeting_class).values_list("rate", flat=True).first()
    if rate is None:
        rate = {1: 760, 2: 650, 3: 550, 4: 550}[meeting_class]
    per_day = Decimal(rate) + Decimal(settings.JIANFU["WORKING_DAY_COST"])
    return (per_day * attendees * days).quantize(Decimal("0.01"))
