"""Submission checks, escalation rules (提级) and meeting cost (会议成本): plain functions.
What differs between kinds lives in approvals.kinds; this is what they share."""

from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.models import BreakerState, Kind, MeetingCostRate, MeetingFreeRule

from . import kinds, plans
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
    "quota_tripped": gettext_noop("本部门{kind}总量已用尽（{used}/{cap}）"),
    "comprehensive_document": gettext_noop("综合性文件"),
    "grassroots_attendees": gettext_noop("乡镇及以下参会 {n} 人，超过 {limit} 人"),
    "principals_required": gettext_noop("要求基层主要负责同志参会"),
    "one_vote_veto": gettext_noop("设置“一票否决”"),
    "responsibility_pledge": gettext_noop("要求基层签订责任状"),
    "forms_required": gettext_noop("要求基层填报表格或报送材料 {n} 项"),
    "materials_required": gettext_noop("要求被检查单位准备迎检材料（已说明理由）"),
    "comprehensive_inspection": gettext_noop("综合性督查检查考核"),
    "unplanned": gettext_noop("计划外事项（未列入已批准的 {year} 年度计划），须一事一议"),
    "manual": gettext_noop("减负办审核人提级"),
    "manual_with_reason": gettext_noop("减负办审核人提级：{comment}"),
}


def escalations(p: Proposal, *, quota=None, manual_reason: str = "", under_planning: bool | None = None) -> list[dict]:
    """Why this proposal goes on to the leader (提级): [{"code", …figures}].

    `quota` holds the counters *after* this item's reservation, so the item that
    takes the last slot sees its quota tripped and escalates like the ones that
    brought it to the warning line (the fullest quota gets the closest review).
    `under_planning` is plans.under_planning(year) when the caller already knows it.
    """
    reasons = []
    if p.emergency:
        reasons.append({"code": "emergency", "text": p.justification})
    state = quota.breaker_state if quota is not None else BreakerState.NORMAL
    if state != BreakerState.NORMAL:
        code = "quota_tripped" if state == BreakerState.TRIPPED else "quota_warning"
        reasons.append({"code": code, "kind": quota.kind, "used": quota.used, "cap": quota.cap})
    reasons += kinds.of(p.kind).escalations(p)
    if under_planning is None:
        under_planning = plans.under_planning(p.quota_year)
    if p.planned_item_id is None and under_planning:
        reasons.append({"code": "unplanned", "year": p.quota_year})
    if p.manual_escalation:
        reasons.append({"code": "manual", "comment": manual_reason} if manual_reason else {"code": "manual"})
    return reasons


def describe_escalation(reason: dict) -> str:
    """One stored reason in words, in the active language."""
    code = reason.get("code")
    if code == "manual" and reason.get("comment"):
        code = "manual_with_reason"
    template = ESCALATION_TEXTS.get(code)
    if template is None:  # stored as text before reasons were codes
        return str(reason.get("text", reason.get("code", "")))
    figures = {k: v for k, v in reason.items() if k != "code"}
    if "kind" in figures:
        figures["kind"] = Kind(figures["kind"]).label
    return _(template).format(**figures)


class Cost(NamedTuple):
    amount: Decimal
    formula: str  # how the amount was reached, in words and figures


CLASS_RATES = {1: 760, 2: 650, 3: 550, 4: 550}  # central standard, used when no rate is stored


def class_rate(meeting_class: int) -> int:
    rate = MeetingCostRate.objects.filter(meeting_class=meeting_class).values_list("rate", flat=True).first()
    return CLASS_RATES[meeting_class] if rate is None else rate


def meeting_cost(p: Proposal, *, attendees: int | None = None) -> Cost:
    """会议成本 = 综合定额 (on-site only) + 误工成本.

    The per-diem (会议费综合定额: lodging, meals, venue) is paid per attendee
    and calendar day of an on-site meeting; a video meeting has none. A hybrid
    meeting is costed as on-site: the proposal does not say who attends where,
    so the figure is the upper bound. Working time is every attendee's hours
    (kinds.meeting.working_hours) at settings.JIANFU["WORKING_HOUR_COST"].
    """
    attendees = p.total_attendees if attendees is None else attendees
    if not (p.meeting_class and attendees and p.start and p.end and p.end > p.start):
        return Cost(Decimal("0.00"), "")
    hours = Decimal(str(round(kinds.meeting.working_hours(p.start, p.end), 2)))
    hourly = Decimal(settings.JIANFU["WORKING_HOUR_COST"])
    working = hourly * attendees * hours
    parts, amount = [], working
    if p.meeting_format == "video":
        parts.append(_("视频会议不计综合定额"))
    else:
        rate = class_rate(p.meeting_class)
        amount += Decimal(rate) * attendees * p.meeting_days
        parts.append(_("{n} 人 × {d} 天 × {rate} 元（{label}综合定额）").format(
            n=attendees, d=p.meeting_days, rate=rate, label=p.get_meeting_class_display()))
    parts.append(_("{n} 人 × {h:g} 小时 × {rate} 元（误工）").format(n=attendees, h=float(hours), rate=hourly))
    amount = amount.quantize(Decimal("0.01"))
    separator = "；" if p.meeting_format == "video" else " + "
    return Cost(amount, separator.join(parts) + f" = {amount:,.2f} " + _("元"))
