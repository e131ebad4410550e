"""Submission checks, escalation rules (提级) and meeting cost (会议成本): plain functions."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.models import Kind, MeetingCostRate, MeetingFreeRule

from .models import SHANGHAI, Proposal


class Problem:
    """One reason a proposal cannot be submitted, tied to a form field."""

    def __init__(self, field: str, code: str, message: str):
        self.field, self.code, self.message = field, code, message

    def __repr__(self):
        return f"Problem({self.field!r}, {self.code!r})"


def _limits() -> dict:
    return settings.JIANFU


def meeting_free_hits(first, last) -> list[tuple]:
    """(rule, first day it covers) for each active rule that covers a day in
    [first, last]: one query, then O(1) per rule whatever the span."""
    hits = []
    for rule in MeetingFreeRule.objects.filter(active=True).order_by("pk"):
        day = rule.first_day_covered(first, last)
        if day is not None:
            hits.append((rule, day))
    return hits


def meeting_free_rules_hit(day) -> list[MeetingFreeRule]:
    return [rule for rule, _day in meeting_free_hits(day, day)]


def required_problems(p: Proposal) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = []
    if not p.title.strip():
        problems.append(Problem("title", "required", missing))
    if not p.necessity.strip():
        problems.append(Problem("necessity", "required", _("请写明必要性说明。")))
    if not p.target_levels:
        problems.append(Problem("target_levels", "required", _("请选择面向的基层层级。")))
    if p.kind == Kind.DOCUMENT:
        for field in ["planned_date", "doc_type", "length_chars"]:
            if getattr(p, field) in (None, ""):
                problems.append(Problem(field, "required", missing))
        if p.is_joint and not (p.pk and p.co_departments.exists()):
            problems.append(Problem("co_departments", "required", _("联合发文须列出联合发文单位。")))
    else:
        for field in ["start", "end", "meeting_format", "meeting_class"]:
            if getattr(p, field) in (None, ""):
                problems.append(Problem(field, "required", missing))
        if p.meeting_format in ("onsite", "hybrid") and not p.venue.strip():
            problems.append(Problem("venue", "required", _("现场会议须填写会议地点。")))
        if p.total_attendees == 0:
            problems.append(Problem("attendees_city", "required", _("请填写参会人数。")))
    return problems


def rule_problems(p: Proposal) -> list[Problem]:
    """Rules a draft may break (the form warns) but a submission may not."""
    limits = _limits()
    problems = []
    if p.kind == Kind.DOCUMENT:
        if p.length_chars and p.length_chars > limits["DOCUMENT_MAX_CHARS"]:
            problems.append(Problem("length_chars", "document_too_long", _(
                "文件篇幅 {n} 字，超过 {limit} 字的上限，请精简。"
            ).format(n=p.length_chars, limit=limits["DOCUMENT_MAX_CHARS"])))
        return problems
    if not (p.start and p.end):
        return problems
    if p.end <= p.start:
        problems.append(Problem("end", "meeting_ends_before_start", _("结束时间必须晚于开始时间。")))
        return problems
    days = p.meeting_days
    hours = (p.end - p.start).total_seconds() / 3600
    if days == 1 and hours > limits["MEETING_MAX_HOURS"]:
        problems.append(Problem("end", "meeting_too_long", _(
            "会议时长 {h:.1f} 小时，超过 {limit} 小时的上限。"
        ).format(h=hours, limit=limits["MEETING_MAX_HOURS"])))
    if days > limits["MEETING_MAX_DAYS"]:
        problems.append(Problem("end", "meeting_too_long", _(
            "会议 {d} 天，超过 {limit} 天的上限。"
        ).format(d=days, limit=limits["MEETING_MAX_DAYS"])))
    first = p.start.astimezone(SHANGHAI).date()
    for rule, day in meeting_free_hits(first, first + datetime.timedelta(days=days - 1)):
        problems.append(Problem("start", "meeting_free_day", _(
            "{day} 是无会日（{rule}），不能安排会议。"
        ).format(day=day.isoformat(), rule=rule.name)))
    if p.total_attendees > limits["MEETING_MAX_ATTENDEES"]:
        problems.append(Problem("attendees_city", "too_many_attendees", _(
            "参会 {n} 人，超过 {limit} 人的上限。"
        ).format(n=p.total_attendees, limit=limits["MEETING_MAX_ATTENDEES"])))
    return problems


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
    limit = _limits()["ESCALATE_GRASSROOTS_ATTENDEES"]
    reasons = []
    if p.emergency:
        reasons.append({"code": "emergency", "text": p.justification})
    if quota is not None and quota.breaker_state == "warning":
        reasons.append({"code": "quota_warning", "kind": quota.kind, "used": quota.used, "cap": quota.cap})
    if p.kind == Kind.MEETING:
        if p.grassroots_attendees > limit:
            reasons.append({"code": "grassroots_attendees", "n": p.grassroots_attendees, "limit": limit})
        if p.principals_required:
            reasons.append({"code": "principals_required"})
    else:
        for flag in ("one_vote_veto", "responsibility_pledge"):
            if getattr(p, flag):
                reasons.append({"code": flag})
        if p.forms_required:
            reasons.append({"code": "forms_required", "n": p.forms_required})
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
    per_day = Decimal(rate) + Decimal(_limits()["WORKING_DAY_COST"])
    return (per_day * attendees * days).quantize(Decimal("0.01"))
