"""会议: a meeting that grassroots units attend."""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from quotas.models import MeetingFreeRule

from ..problems import Problem

FIELDS = ("target_levels", "start", "end", "meeting_format", "meeting_class", "attendees_city",
          "attendees_county", "attendees_township", "attendees_village", "principals_required",
          "venue", "agenda")
REQUIRED = ("start", "end", "meeting_format", "meeting_class")


def meeting_free_hits(first, last) -> list[tuple]:
    """(rule, first day it covers) for each active rule that covers a day in
    [first, last]: one query, then O(1) per rule whatever the span."""
    hits = []
    for rule in MeetingFreeRule.objects.filter(active=True).order_by("pk"):
        day = rule.first_day_covered(first, last)
        if day is not None:
            hits.append((rule, day))
    return hits


def required_problems(p) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = [Problem(field, "required", missing) for field in REQUIRED if getattr(p, field) in (None, "")]
    if p.meeting_format in ("onsite", "hybrid") and not p.venue.strip():
        problems.append(Problem("venue", "required", _("现场会议须填写会议地点。")))
    if p.total_attendees == 0:
        problems.append(Problem("attendees_city", "required", _("请填写参会人数。")))
    return problems


def rule_problems(p) -> list[Problem]:
    """Length limits first, then the calendar (whose check costs O(rules))."""
    if not (p.start and p.end):
        return []
    if p.end <= p.start:
        return [Problem("end", "meeting_ends_before_start", _("结束时间必须晚于开始时间。"))]
    limits = settings.JIANFU
    problems = []
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
    first = p.planned_day
    for rule, day in meeting_free_hits(first, first + datetime.timedelta(days=days - 1)):
        problems.append(Problem("start", "meeting_free_day", _(
            "{day} 是无会日（{rule}），不能安排会议。"
        ).format(day=day.isoformat(), rule=rule.name)))
    if p.total_attendees > limits["MEETING_MAX_ATTENDEES"]:
        problems.append(Problem("attendees_city", "too_many_attendees", _(
            "参会 {n} 人，超过 {limit} 人的上限。"
        ).format(n=p.total_attendees, limit=limits["MEETING_MAX_ATTENDEES"])))
    return problems


def escalations(p) -> list[dict]:
    limit = settings.JIANFU["ESCALATE_GRASSROOTS_ATTENDEES"]
    reasons = []
    if p.grassroots_attendees > limit:
        reasons.append({"code": "grassroots_attendees", "n": p.grassroots_attendees, "limit": limit})
    if p.principals_required:
        reasons.append({"code": "principals_required"})
    return reasons


def completion_problems(p, *, actual_attendees=None, actual_cost=None, **ignored) -> list[Problem]:
    problems = []
    if actual_attendees is None:
        problems.append(Problem("actual_attendees", "required", _("请填写实际参会人数。")))
    elif actual_attendees < 0 or actual_attendees > 100_000:
        problems.append(Problem("actual_attendees", "out_of_range", _("实际参会人数超出合理范围。")))
    if actual_cost is not None and (actual_cost < 0 or actual_cost > 10**10):
        problems.append(Problem("actual_cost", "out_of_range", _("实际会议成本超出合理范围。")))
    return problems


def record_outcome(p, *, actual_attendees=None, actual_cost=None, **ignored) -> None:
    from ..rules import meeting_cost

    p.actual_attendees = actual_attendees
    p.actual_cost = actual_cost if actual_cost is not None else meeting_cost(
        meeting_class=p.meeting_class, attendees=actual_attendees, days=p.meeting_days)
