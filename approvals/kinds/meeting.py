"""会议: a meeting that grassroots units attend."""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from quotas.models import MeetingFreeRule

from ..problems import Problem

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

FIELDS = ("target_levels", "start", "end", "meeting_format", "meeting_class", "comprehensive_meeting",
          "group_discussion", "main_speech_minutes", "attendees_city", "attendees_county",
          "attendees_township", "attendees_village", "principals_required", "venue", "agenda")
# What completing one records (办结).
OUTCOME_FIELDS = ("actual_attendees", "actual_cost")
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


def working_hours(start, end) -> float:
    """Hours of working time a meeting takes. A meeting within one day counts
    its length; one over several days counts, each day, its overlap with the
    working day (settings.JIANFU WORKDAY_START_HOUR–WORKDAY_END_HOUR), at most
    WORKING_HOURS_PER_DAY: start and end do not say where the nights fall."""
    limits = settings.JIANFU
    first, last = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    if first.date() == last.date():
        return min((last - first).total_seconds() / 3600, limits["WORKING_HOURS_PER_DAY"])
    hours, day = 0.0, first.date()
    while day <= last.date():
        opens = datetime.datetime.combine(day, datetime.time(limits["WORKDAY_START_HOUR"]), tzinfo=SHANGHAI)
        closes = datetime.datetime.combine(day, datetime.time(limits["WORKDAY_END_HOUR"]), tzinfo=SHANGHAI)
        overlap = (min(closes, last) - max(opens, first)).total_seconds() / 3600
        hours += min(max(overlap, 0.0), limits["WORKING_HOURS_PER_DAY"])
        day += datetime.timedelta(days=1)
    return hours


def session_days(p) -> float:
    """会期 in days of working time (half a day = WORKING_HOURS_PER_DAY / 2 hours)."""
    return working_hours(p.start, p.end) / settings.JIANFU["WORKING_HOURS_PER_DAY"]


def rule_problems(p) -> list[Problem]:
    """The 2024 若干规定 limits first, then the calendar (whose check costs O(rules))."""
    if not (p.start and p.end):
        return []
    if p.end <= p.start:
        return [Problem("end", "meeting_ends_before_start", _("结束时间必须晚于开始时间。"))]
    limits = settings.JIANFU
    problems = _length_problems(p, limits)
    days = p.meeting_days
    first = p.planned_day
    for rule, day in meeting_free_hits(first, first + datetime.timedelta(days=days - 1)):
        problems.append(Problem("start", "meeting_free_day", _(
            "{day} 是无会日（{rule}），不能安排会议。"
        ).format(day=day.isoformat(), rule=rule.name)))
    if p.total_attendees > limits["MEETING_MAX_ATTENDEES"]:
        problems.append(Problem("attendees_city", "too_many_attendees", _(
            "参会 {n} 人，超过 {limit} 人的上限。"
        ).format(n=p.total_attendees, limit=limits["MEETING_MAX_ATTENDEES"])))
    if p.comprehensive_meeting:
        problems += _comprehensive_problems(p, limits["COMPREHENSIVE_MEETINGS_PER_YEAR"])
    return problems


def _length_problems(p, limits) -> list[Problem]:
    """会期: with group discussion ≤ 1.5 days, other meetings ≤ half a day; the
    main report and the leaders' speeches ≤ 1 hour (as the clerk states them)."""
    problems = []
    key = "MEETING_DISCUSSION_MAX_DAYS" if p.group_discussion else "MEETING_MAX_DAYS"
    days, limit = session_days(p), limits[key]
    if days > limit + 1e-9:
        message = _("有分组讨论的会议会期不超过 {limit:g} 天，本会议 {days:.2g} 天。") if p.group_discussion \
            else _("会议会期不超过 {limit:g} 天（无分组讨论），本会议 {days:.2g} 天。")
        problems.append(Problem("end", "meeting_too_long", message.format(limit=limit, days=days)))
    speech = limits["MEETING_SPEECH_MAX_MINUTES"]
    if p.main_speech_minutes and p.main_speech_minutes > speech:
        problems.append(Problem("main_speech_minutes", "speech_too_long", _(
            "主报告和领导讲话 {n} 分钟，超过 {limit} 分钟的上限。").format(n=p.main_speech_minutes, limit=speech)))
    return problems


def _comprehensive_problems(p, per_year: int) -> list[Problem]:
    """A department holds at most `per_year` 综合性工作会议 a year: counted over
    its other meetings of that year that are in review, approved or held."""
    from ..lifecycle import OPEN_STATES, State
    from ..selectors import in_year

    held = in_year(type(p).objects.filter(
        department_id=p.department_id, kind="meeting", comprehensive_meeting=True,
        state__in=[*OPEN_STATES, State.APPROVED, State.COMPLETED],
    ).exclude(pk=p.pk), p.quota_year).count()
    if held < per_year:
        return []
    return [Problem("comprehensive_meeting", "comprehensive_meeting_limit", _(
        "本部门 {year} 年已有 {n} 个综合性工作会议（每年至多 {limit} 个）。"
    ).format(year=p.quota_year, n=held, limit=per_year))]


def escalations(p) -> list[dict]:
    limit = settings.JIANFU["ESCALATE_GRASSROOTS_ATTENDEES"]
    reasons = []
    if p.grassroots_attendees > limit:
        reasons.append({"code": "grassroots_attendees", "n": p.grassroots_attendees, "limit": limit})
    if p.principals_required:
        reasons.append({"code": "principals_required"})
    return reasons


def completion_problems(p, *, actual_attendees=None, actual_cost=None, **ignored) -> list[Problem]:
    """Attendance and cost are facts: recorded only once the meeting has ended."""
    if p.end and p.end > timezone.now():
        return [Problem("actual_attendees", "not_yet", _(
            "会议 {end} 结束，结束后再登记实际参会情况。"
        ).format(end=timezone.localtime(p.end).strftime("%Y-%m-%d %H:%M")))]
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
    p.actual_cost = actual_cost if actual_cost is not None else meeting_cost(p, attendees=actual_attendees).amount
