"""What submitting a proposal would do, computed once for submission and preview.

`assess(proposal, …)` answers, without writing anything: every problem that
refuses the submission (required fields, the kind's rules, a missing or
tripped quota, a 特事特办 without its 超额说明), the quota position after this
item ("将占用 2026 年度会议总量第 6/7 个名额") and the breaker state it leaves,
the escalation reasons (提级) it trips, the estimated cost with its formula, and
— when the chosen day is meeting-free — the next day that is not.

approvals.services._submit calls it under the proposal's row lock and refuses
with exactly these problems; the preview (API and form) calls it on a stored
draft or on unsaved form data. The quota's guarded UPDATE stays the only judge
of the last slot: a preview read a moment earlier may be overtaken by another
submission, never the other way round.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.models import Kind, MeetingFreeRule, Quota
from quotas.services import QuotaMissing, exhausted_message, parent_quotas, parent_quotas_by_kind, quota_get
from quotas.workdays import calendar, is_working_day

from . import monthly, plans, rules
from .models import Hold, Proposal
from .problems import Problem

MSG_NEEDS_JUSTIFICATION = gettext_noop("特事特办申请必须写明超额说明。")
# How far ahead the next meeting day is looked for (each day tried costs O(rules)).
FREE_DAY_SEARCH_DAYS = 366
QUOTA_EXHAUSTED = "quota_exhausted"


@dataclass
class Assessment:
    problems: list[Problem] = field(default_factory=list)
    quota: Quota | None = None        # the stored row, as read (None: no year yet, or no quota set)
    quota_after: Quota | None = None  # an unsaved copy with the counters after this item
    takes_slot: bool = False          # whether submitting reserves a new slot
    keeps_slot: bool = False          # returned for revision: it already holds one of this quota
    full_quota: Quota | None = None   # the quota (its own or a parent's) with no slot left
    full_month: object = None         # a monthly inspection cap (MonthlyQuota) with no slot left
    parents: list[Quota] = field(default_factory=list)  # the parent quotas it would take a slot of too
    under_planning: bool = False      # the year is under 计划管理 (an unmatched item is 计划外)
    escalations: list[dict] = field(default_factory=list)
    cost: rules.Cost | None = None
    next_free_day: datetime.date | None = None

    @property
    def quota_tripped(self) -> bool:
        """No slot is free for this item: only a 特事特办 request can go on."""
        return self.quota is not None and not (self.takes_slot or self.keeps_slot)

    @property
    def blocking(self) -> list[Problem]:
        """The problems a submission refuses before it tries the quota (400)."""
        return [p for p in self.problems if p.code != QUOTA_EXHAUSTED]


def assess(p: Proposal, *, emergency: bool = False, justification: str = "",
           emergency_category: str = "") -> Assessment:
    """Everything submitting `p` now would check and cause, nothing written.

    Sets emergency, justification, emergency_category and manual_escalation on
    the instance given (submission saves them; a preview discards the instance)."""
    p.emergency, p.justification, p.manual_escalation = emergency, justification.strip(), False
    p.emergency_category = emergency_category if emergency else ""
    a = Assessment()
    if emergency and not p.justification:
        a.problems.append(Problem("justification", "required", _(MSG_NEEDS_JUSTIFICATION)))
    a.problems += rules.submission_problems(p)
    _assess_quota(a, p, emergency)
    p.planned_item = plans.match_item(p) if p.quota_year else None
    a.under_planning = plans.under_planning(p.quota_year)
    a.escalations = rules.escalations(p, quota=a.quota_after, under_planning=a.under_planning)
    if p.kind == "meeting":
        a.cost = rules.meeting_cost(p)
    if any(problem.code == "meeting_free_day" for problem in a.problems):
        a.next_free_day = next_free_day(p.planned_day, p.meeting_days)
    return a


def _assess_quota(a: Assessment, p: Proposal, emergency: bool) -> None:
    """The slot submission would take: of the department's quota and of every
    parent quota (quotas.services.parent_quotas) — all or none, as _hold_slot
    takes them; the first full one refuses, as its guarded UPDATE would."""
    year = p.quota_year
    if year is None or p.department_id is None:
        return
    try:
        a.quota = quota_get(department=p.department, year=year, kind=p.kind)
    except QuotaMissing as missing:
        field_name = "planned_date" if p.kind == "document" else "start"
        a.problems.append(Problem(field_name, "quota_missing", str(missing)))
        return
    a.quota_after = copy.copy(a.quota)
    parents = parent_quotas(department=p.department, year=year, kind=p.kind)
    a.full_month = monthly.full_counter(p, [a.quota, *parents])
    if a.full_month is not None and not monthly.exempt(p):
        a.problems.append(quota_problem(a.full_month))  # refused at the month even as 特事特办
    a.parents = parents
    if p.hold == Hold.RESERVED and p.quota_id == a.quota.pk:
        a.keeps_slot = True  # returned for revision: the slots are still this item's
        return
    # quotas.services.FREE_SLOT_SQL, read without the lock.
    a.full_quota = next((q for q in [a.quota, *parents] if q.cap <= q.used), None)
    if a.full_quota is None:
        a.takes_slot = True
        a.quota_after.reserved += 1
    elif not emergency:
        a.problems.append(quota_problem(a.full_quota))


def quota_problem(quota) -> Problem:
    """The problem a refused reservation reports (the same one assess() lists)."""
    return Problem("emergency", QUOTA_EXHAUSTED, exhausted_message(quota))


def next_free_day(first: datetime.date | None, days: int = 1) -> datetime.date | None:
    """The first working day after `first` on which a meeting of `days` calendar
    days touches no meeting-free day, within FREE_DAY_SEARCH_DAYS; None if none.

    One query for the rules and one for the holidays; each day tried asks each
    rule once (MeetingFreeRule.first_day_covered is O(1)), so a search costs
    O(days tried × rules) whatever the rules' spans.
    """
    if first is None:
        return None
    span = datetime.timedelta(days=max(days, 1) - 1)
    free_rules = list(MeetingFreeRule.objects.filter(active=True))
    last = first + datetime.timedelta(days=FREE_DAY_SEARCH_DAYS)
    exceptions = calendar(first, last)
    day = first
    while day < last:
        day += datetime.timedelta(days=1)
        if not is_working_day(day, exceptions):
            continue
        if all(rule.first_day_covered(day, day + span) is None for rule in free_rules):
            return day
    return None


def position(a: Assessment) -> dict | None:
    """The quota position after this item, for the preview's `quota`."""
    if a.quota is None:
        return None
    after = a.quota_after
    return {
        "department": a.quota.department.code, "year": a.quota.year, "kind": a.quota.kind,
        "cap": after.cap, "used_after": after.used, "state_after": after.breaker_state,
    }


def describe_position(a: Assessment) -> str:
    """The position in words: "将占用 2026 年度会议总量第 6/7 个名额"."""
    if a.quota is None:
        return ""
    after, kind = a.quota_after, a.quota.get_kind_display()
    if a.full_month is not None:
        month = a.full_month
        return _("{department} {year} 年 {month} 月{kind}月度总量已用完（{n}/{cap}）：只有安全生产、自然灾害领域的突发事件"
                 "可按特事特办提交，由领导小组审批").format(
            department=month.quota.department.name, year=month.quota.year, month=month.month, kind=kind,
            n=month.used, cap=month.cap)
    if a.takes_slot:
        return _("将占用 {year} 年度{kind}总量第 {n}/{cap} 个名额").format(
            year=after.year, kind=kind, n=after.used, cap=after.cap)
    if a.keeps_slot:
        return _("已占用 {year} 年度{kind}总量的名额（{n}/{cap}），重新提交不再占用").format(
            year=after.year, kind=kind, n=after.used, cap=after.cap)
    full = a.full_quota or after
    return _("{department} {year} 年度{kind}总量已用完（{n}/{cap}），只能按特事特办提交，由领导小组审批").format(
        department=full.department.name, year=full.year, kind=kind, n=full.used, cap=full.cap)


WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def day_words(day: datetime.date) -> str:
    """"9月16日（周四）": a date as a clerk reads it in a sentence."""
    return _("{month}月{day}日（周{weekday}）").format(month=day.month, day=day.day,
                                                   weekday=WEEKDAYS[day.weekday()])


def meeting_free_strip(first: datetime.date, days: int = 14) -> list[dict]:
    """The fortnight from `first`'s Monday, each day marked when a rule makes it
    meeting-free (for the form's date field): O(days × rules), one query."""
    free_rules = list(MeetingFreeRule.objects.filter(active=True))
    monday = first - datetime.timedelta(days=first.weekday())
    strip = []
    for n in range(days):
        day = monday + datetime.timedelta(days=n)
        hit = next((rule for rule in free_rules if rule.covers(day)), None)
        strip.append({"date": day.isoformat(), "label": f"{day.month}/{day.day}", "weekday": WEEKDAYS[day.weekday()],
                      "free": hit is not None, "rule": hit.name if hit else "", "chosen": day == first})
    return strip


def drafting_options(user, *, year: int) -> list[dict]:
    """For each kind, whether `user`'s department may still take a slot of
    `year`'s quota: "新建" says so before the clerk fills in a form, and offers
    only the 特事特办 path when the quota is tripped."""

    quotas = {q.kind: q for q in Quota.objects.select_related("department").filter(
        department_id=user.department_id, year=year)}
    # The department as the quotas already loaded it: no query of its own.
    parents = parent_quotas_by_kind(department=next(iter(quotas.values())).department, year=year) if quotas else {}
    options = []
    for kind, label in Kind.choices:
        quota = quotas.get(kind)
        if quota is not None:  # the department's own cap, then the city's above it
            quota = next((q for q in [quota, *parents.get(kind, [])] if q.used >= q.cap), quota)
        tripped = quota is not None and quota.used >= quota.cap
        if quota is None:
            note = _("本部门尚未设置 {year} 年度{kind}总量，提交前请联系系统管理员。").format(year=year, kind=label)
        elif tripped:
            note = _("{department} {year} 年度{kind}总量已用完（{used}/{cap}）：计划在 {year} 年的{kind}只能按特事特办"
                     "提交，写明超额说明，由领导小组审批。").format(department=quota.department.name, year=year,
                                                            kind=label, used=quota.used, cap=quota.cap)
        else:
            note = ""
        options.append({"kind": kind, "label": label, "tripped": tripped, "note": note, "quota": quota})
    return options
