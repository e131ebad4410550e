"""督查检查考核: an inspection visiting named grassroots units.

The 2024 若干规定: inspections are cut hardest — at most one comprehensive
inspection per department a year, no 迎检材料 demanded unless justified (then
it escalates), no criteria like leaders' written instructions, media
coverage, photo trails or study notes; Chengdu's limits on visits to one unit
(per day, week and month, over every department's approved inspections) keep
a village from being inspected to death. Same-kind inspections of different
departments on overlapping units and dates are put to the reviewer for merging.
"""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotas.models import Department, Kind

from ..lifecycle import LIVE_STATES, State
from ..problems import Problem
from .related import related_ids

FIELDS = ("target_levels", "start", "end", "inspection_type", "comprehensive", "inspection_mode", "units",
          "days_on_site", "materials_required", "materials_justification", "criteria")
# What completing one records (办结).
OUTCOME_FIELDS = ("findings",)
REQUIRED = ("start", "end", "inspection_type", "inspection_mode")
# The items whose visits count: approved, or done.
COUNTED_STATES = (State.APPROVED, State.COMPLETED)

# 考核评价标准 a clerk picks from. The banned ones are refused (若干规定: 不得以领导批示、
# 媒体报道、照片视频留痕、学习笔记等作为考核标准).
CRITERIA = {
    "results": gettext_lazy("工作实效"),
    "grassroots_feedback": gettext_lazy("群众和基层评价"),
    "statistics": gettext_lazy("统计数据"),
    "leader_instructions": gettext_lazy("领导批示数量"),
    "media_coverage": gettext_lazy("媒体报道"),
    "photo_trail": gettext_lazy("照片、视频等留痕"),
    "study_notes": gettext_lazy("学习笔记、心得体会"),
}


def _limits():
    return settings.JIANFU


def required_problems(p) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = [Problem(field, "required", missing) for field in REQUIRED if getattr(p, field) in (None, "")]
    if not related_ids(p, "units"):
        problems.append(Problem("units", "required", _("请选择被检查的基层单位。")))
    return problems


def rule_problems(p) -> list[Problem]:
    problems = []
    banned = [code for code in p.criteria or [] if code in _limits()["INSPECTION_BANNED_CRITERIA"]]
    if banned:
        problems.append(Problem("criteria", "banned_criteria", _(
            "不得以{names}作为考核评价标准。").format(names="、".join(str(CRITERIA.get(c, c)) for c in banned))))
    if p.materials_required and not p.materials_justification.strip():
        problems.append(Problem("materials_justification", "materials_unjustified", _(
            "原则上不得要求被检查单位准备迎检材料；确需准备的，请写明理由（将提级审批）。")))
    if p.comprehensive and p.start:
        limit = _limits()["INSPECTION_COMPREHENSIVE_PER_YEAR"]
        others = _live_inspections(p).filter(comprehensive=True, start__year=p.planned_day.year).count()
        if others >= limit:
            problems.append(Problem("comprehensive", "comprehensive_limit", _(
                "本部门 {year} 年已有 {n} 项综合性督查检查考核，原则上每年不超过 {limit} 项，请合并。"
            ).format(year=p.planned_day.year, n=others, limit=limit)))
    if p.start and p.end and p.pk:
        problems += visit_problems(p)
    return problems


def _live_inspections(p):
    from ..models import Proposal

    return Proposal.objects.filter(kind=Kind.INSPECTION, department_id=p.department_id,
                                   state__in=LIVE_STATES).exclude(pk=p.pk)


def visit_problems(p, *, lock: bool = False) -> list[Problem]:
    """Visits to each unit within the limits per day, week and month, counted over
    every department's approved inspections of that unit. With `lock`, the
    units' rows are locked first (in a fixed order), so that two approvals
    reaching the same unit queue and the second counts the first."""
    names = dict(Department.objects.filter(pk__in=related_ids(p, "units")).order_by("pk").values_list("pk", "name"))
    units = list(names)
    if not units:
        return []
    if lock:
        list(Department.objects.select_for_update().filter(pk__in=units).order_by("pk").values_list("pk"))
    from ..models import SHANGHAI, Proposal

    day = p.start.astimezone(SHANGHAI).date()
    problems = []
    windows = [
        ("INSPECTION_VISITS_PER_DAY", day, day, _("当日")),
        ("INSPECTION_VISITS_PER_WEEK", day - datetime.timedelta(days=day.weekday()),
         day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(days=6), _("当周")),
        ("INSPECTION_VISITS_PER_MONTH", day.replace(day=1),
         (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1), _("当月")),
    ]
    for setting, first, last, label in windows:
        limit = _limits()[setting]
        start = datetime.datetime.combine(first, datetime.time(), tzinfo=SHANGHAI)
        end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=SHANGHAI)
        counts = (Proposal.objects.filter(kind=Kind.INSPECTION, state__in=COUNTED_STATES, units__in=units,
                                          start__gte=start, start__lt=end)
                  .exclude(pk=p.pk).values("units").annotate(n=Count("pk", distinct=True)))
        for row in counts:
            if row["n"] >= limit:
                problems.append(Problem("units", "too_many_visits", _(
                    "{unit}{window}已有 {n} 次督查检查考核，已达 {limit} 次的上限，请改期或与已批准的事项合并。"
                ).format(unit=names[row["units"]], window=label, n=row["n"], limit=limit)))
    return problems


def counts_monthly(p) -> bool:
    """Whether `p` counts against a monthly cap on on-site inspections reaching
    grassroots units (approvals.monthly).

    Here that is every inspection with a mode and its units: each mode is a
    visit on site — 明察 announced, 暗访 unannounced and incognito, 四不两直
    straight to the scene — and the units visited can only be township or
    village units (services.check_units). `days_on_site` does not decide it:
    it is what the clerk types and defaults to 0, so it must not let a visit
    out of the count.
    """
    from ..models import InspectionMode

    return (p.kind == Kind.INSPECTION and p.inspection_mode in InspectionMode.values and p.start is not None
            and bool(related_ids(p, "units")))


def approval_problems(p) -> list[Problem]:
    """Checked again when the item becomes approved, under the units' locks."""
    return visit_problems(p, lock=True)


def escalations(p) -> list[dict]:
    reasons = []
    if p.materials_required:
        reasons.append({"code": "materials_required"})
    if p.comprehensive:
        reasons.append({"code": "comprehensive_inspection"})
    return reasons


def merge_candidates(p, *, limit: int = 5):
    """Other departments' live inspections of the same type that visit one of the
    same units on overlapping dates: proposed to the reviewer for 合并检查."""
    from ..models import Proposal

    if not (p.start and p.end and p.inspection_type):
        return []
    units = p.units.values_list("pk", flat=True)
    return list(
        Proposal.objects.filter(kind=Kind.INSPECTION, inspection_type=p.inspection_type,
                                state__in=LIVE_STATES, units__in=units, start__lt=p.end, end__gt=p.start)
        .exclude(department_id=p.department_id).exclude(pk=p.pk).select_related("department")
        .distinct().order_by("start")[:limit]
    )


def completion_problems(p, *, findings: str = "", **ignored) -> list[Problem]:
    """Findings are facts: recorded once the visit has ended."""
    if p.end and p.end > timezone.now():
        return [Problem("findings", "not_yet", _("督查检查考核 {end} 结束，结束后再登记检查发现与反馈。").format(
            end=timezone.localtime(p.end).strftime("%Y-%m-%d %H:%M")))]
    if not (findings or "").strip():
        return [Problem("findings", "required", _("请填写检查发现与反馈。"))]
    return []


def record_outcome(p, *, findings: str = "", **ignored) -> None:
    p.findings = findings.strip()

