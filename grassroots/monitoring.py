"""监测点: units the office designates log each month what actually arrived.

The log comes pre-filled from the gate (prefilled_log): the approved items that
reached the unit in the month. Its reporter confirms it and adds what came
outside the gate; each addition is filed as a Flag in the same transaction as
the log (all or none), and the office triages it like any other. The burden
index compares, per unit and month, what the gate registered with what the
unit reported (registered items it confirmed plus its additions).
"""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.errors import InvalidTransition, NotAllowed, ProposalError, SubmissionRefused
from approvals.models import SHANGHAI, Proposal
from approvals.problems import Problem
from quotas.models import Department, Kind
from quotas.transactions import committing

from . import policy
from .evaluations import RATED_STATES
from .models import MonitoringPoint, MonthlyLog, SurveyAnswer, SurveyQuestion
from .services import flag_prepare, flag_save

MSG_NOT_POINT = gettext_noop("{unit} 不是监测点。")
MSG_NOT_YOUR_UNIT = gettext_noop("只有本单位的基层联络员可以确认本单位的月度台账。")
MSG_MONTH_NOT_OVER = gettext_noop("{year} 年 {month} 月尚未到月底，月底起才能确认。")
MSG_CONFIRMED = gettext_noop("{year} 年 {month} 月的台账已于 {at} 确认，不能再次确认；新的情况请直接反映线索。")
MSG_OUTSIDE_MONTH = gettext_noop("补充事项的收到日期应在 {year} 年 {month} 月内。")
MSG_UNKNOWN_QUESTION = gettext_noop("没有这个在用的问卷问题。")
MSG_NOT_OFFICE = gettext_noop("只有减负办可以设置监测点和问卷。")
MAX_ADDITIONS = 20


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """[first day, first day of the next month)."""
    first = datetime.date(year, month, 1)
    return first, first + datetime.timedelta(days=calendar.monthrange(year, month)[1])


def _reaching(unit) -> Q:
    """Items that reach `unit`: see grassroots.evaluations.burden_items."""
    return (Q(kind__in=(Kind.DOCUMENT, Kind.MEETING), target_levels__icontains=f'"{unit.level}"')
            | Q(kind=Kind.INSPECTION, units=unit))


def items_in_month(unit, year: int, month: int):
    """Approved or completed items that reached `unit` in the month: documents by
    their planned date, meetings and inspections by their start in Asia/Shanghai."""
    return items_between(unit, *month_bounds(year, month))


def items_between(unit, first: datetime.date, after: datetime.date):
    """The same for the days [first, after): their planned_day falls there."""
    start, end = (datetime.datetime.combine(day, datetime.time(0), tzinfo=SHANGHAI) for day in (first, after))
    dated = (Q(kind=Kind.DOCUMENT, planned_date__gte=first, planned_date__lt=after)
             | Q(kind__in=(Kind.MEETING, Kind.INSPECTION), start__gte=start, start__lt=end))
    return (Proposal.objects.filter(state__in=RATED_STATES).filter(dated).filter(_reaching(unit))
            .select_related("department").distinct().order_by("start", "planned_date", "id"))


def meeting_hours(meeting) -> Decimal:
    """Hours a meeting takes from an attendee: its length, at most a working day a day."""
    length = Decimal((meeting.end - meeting.start).total_seconds()) / 3600
    cap = meeting.meeting_days * settings.JIANFU["WORKING_HOURS_PER_DAY"]
    return min(length, Decimal(cap)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _item(p) -> dict:
    row = {"id": p.pk, "kind": p.kind, "registry_number": p.registry_number, "department": p.department.code,
           "department_name": p.department.name, "title": p.title, "date": p.planned_day.isoformat()}
    if p.kind == Kind.DOCUMENT:
        row["forms"] = p.forms_required
    elif p.kind == Kind.MEETING:
        row["hours"] = str(meeting_hours(p))
    else:
        row["days"] = p.days_on_site
    return row


def prefilled_log(unit, year: int, month: int) -> dict:
    """What the gate registered for the unit that month, item by item, with totals."""
    items = [_item(p) for p in items_in_month(unit, year, month)]
    of = {kind: [i for i in items if i["kind"] == kind] for kind in Kind.values}
    totals = {
        "documents": len(of[Kind.DOCUMENT]), "meetings": len(of[Kind.MEETING]),
        "meeting_hours": str(sum((Decimal(i["hours"]) for i in of[Kind.MEETING]), Decimal("0.0"))),
        "inspections": len(of[Kind.INSPECTION]),
        "inspection_days": sum(i["days"] for i in of[Kind.INSPECTION]),
        "forms": sum(i["forms"] for i in of[Kind.DOCUMENT]),
    }
    return {"documents": of[Kind.DOCUMENT], "meetings": of[Kind.MEETING],
            "inspections": of[Kind.INSPECTION], "totals": totals}


def registered_count(totals: dict) -> int:
    return totals["documents"] + totals["meetings"] + totals["inspections"]


# --- who may read and confirm ----------------------------------------------------------

def point_of(unit_code: str) -> MonitoringPoint | None:
    return MonitoringPoint.objects.select_related("unit").filter(unit__code=unit_code, active=True).first()


def may_read(user, unit) -> bool:
    return policy.is_office(user) or user.is_superuser or may_keep(user, unit)


def may_keep(user, unit) -> bool:
    return policy.may_file(user) and user.department_id == unit.pk


# --- confirming a month -----------------------------------------------------------------

def log_confirm(*, by, unit, year: int, month: int, additions=(), answers=None, note: str = "") -> MonthlyLog:
    """The unit's reporter confirms the month's log; each addition (the fields of
    a flag: issuer, channel, kind, received_on, summary, …) becomes a Flag, in one
    transaction with the log. A month is confirmed once (409 after), from its last
    day on. The race this prevents: two confirmations of one month (a double
    click) filing the additions twice — the log's unique (unit, year, month)
    makes the second insert fail and roll back its flags."""
    if not may_keep(by, unit):
        raise NotAllowed(_(MSG_NOT_YOUR_UNIT))
    if not MonitoringPoint.objects.filter(unit=unit, active=True).exists():
        raise NotAllowed(_(MSG_NOT_POINT).format(unit=unit.name))
    first, after = month_bounds(year, month)
    if timezone.localdate() < after - datetime.timedelta(days=1):
        raise SubmissionRefused(_(MSG_MONTH_NOT_OVER).format(year=year, month=month), code="month_not_over")
    _refuse_if_confirmed(unit, year, month)
    if len(additions) > MAX_ADDITIONS:
        raise SubmissionRefused(_("每月最多补充 {n} 项，更多请逐条反映线索。").format(n=MAX_ADDITIONS))
    prepared = [_prepared(by, n, addition, first, after) for n, addition in enumerate(additions)]
    scores = _answers(answers or {})
    snapshot = prefilled_log(unit, year, month)
    with committing(transaction.atomic(durable=True)):
        try:
            with transaction.atomic():
                log = MonthlyLog.objects.create(unit=unit, year=year, month=month, confirmed_by=by,
                                                registered=snapshot, note=(note or "").strip())
        except IntegrityError:
            _refuse_if_confirmed(unit, year, month)
            raise
        for flag, checked in prepared:
            flag_save(flag, checked)
        log.flags.set([flag for flag, _checked in prepared])
        SurveyAnswer.objects.bulk_create(SurveyAnswer(log=log, question=q, score=s) for q, s in scores)
    return log


def _refuse_if_confirmed(unit, year, month):
    log = MonthlyLog.objects.filter(unit=unit, year=year, month=month).first()
    if log is not None:
        at = timezone.localtime(log.confirmed_at).strftime("%Y-%m-%d %H:%M")
        raise InvalidTransition(_(MSG_CONFIRMED).format(year=year, month=month, at=at), code="already_confirmed")


def _prepared(by, n, addition, first, after):
    fields = dict(addition)
    evidence = fields.pop("evidence", ())
    issuer = fields.pop("issuer")
    received_on = fields.get("received_on")
    if received_on is None or not first <= received_on < after:
        message = _(MSG_OUTSIDE_MONTH).format(year=first.year, month=first.month)
        raise SubmissionRefused(message, problems=[Problem(f"additions[{n}].received_on", "invalid", message)])
    try:
        return flag_prepare(by=by, issuer=issuer, evidence=evidence, **fields)
    except ProposalError as error:
        error.problems = [Problem(f"additions[{n}].{p.field}", p.code, p.message) for p in error.problems]
        raise


def _answers(answers: dict) -> list:
    questions = SurveyQuestion.objects.in_bulk([int(k) for k in answers])
    scores = []
    for key, score in answers.items():
        question = questions.get(int(key))
        if question is None or not question.active:
            raise SubmissionRefused(_(MSG_UNKNOWN_QUESTION),
                                    problems=[Problem(f"survey.{key}", "invalid", _(MSG_UNKNOWN_QUESTION))])
        if not 1 <= int(score) <= 5:
            message = _("评分应为 1 到 5。")
            raise SubmissionRefused(message, problems=[Problem(f"survey.{key}", "invalid", message)])
        scores.append((question, int(score)))
    return scores


# --- the office's settings ---------------------------------------------------------------

def point_designate(*, by, unit: Department, active: bool = True) -> MonitoringPoint:
    """The office makes a township or village unit a monitoring point (or stops it)."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    if unit.level not in policy.GRASSROOTS_LEVELS:
        message = _("监测点应为乡镇或村级单位。")
        raise SubmissionRefused(message, problems=[Problem("unit", "invalid", message)])
    with committing(transaction.atomic(durable=True)):
        point, created = MonitoringPoint.objects.select_for_update().get_or_create(
            unit=unit, defaults={"designated_by": by, "active": active})
        if not created and point.active != active:
            point.active = active
            point.save(update_fields=["active"])
    return point


def question_set(*, by, text: str = "", question: SurveyQuestion | None = None,
                 active: bool = True) -> SurveyQuestion:
    """The office adds a survey question, or retires (active=False) one."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    with committing(transaction.atomic(durable=True)):
        if question is None:
            question = SurveyQuestion(text=text.strip(), created_by=by)
            question.full_clean()
        question.active = active
        question.save()
    return question
