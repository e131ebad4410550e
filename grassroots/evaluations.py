"""逆向考核: grassroots units rate the upper departments that sent them burden.

Anonymity is the promise that makes the ratings honest, so it is built into the
data rather than into each page: a rating row carries no unit and no user, only
`rater_key`, a keyed hash (Django's salted_hmac over SECRET_KEY) of the unit and
the year. The rater's unit finds its own rating again by computing the key; no
page, export or admin screen can go from a row back to the unit. Figures are
published only after the window has closed and only for departments rated by
at least JIANFU["EVALUATION_MIN_RESPONSES"] units (k-anonymity); comments reach
the rated department as a count, or as text the office released after closing.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.errors import InvalidTransition, NotAllowed, SubmissionRefused
from approvals.models import SHANGHAI, Proposal, State
from approvals.problems import Problem
from approvals.selectors import in_year
from quotas.models import Department, Kind
from quotas.transactions import committing

from . import policy
from .models import Dimension, EvaluationWindow, Rating

MSG_NO_WINDOW = gettext_noop("{year} 年度逆向考核尚未开启。")
MSG_WINDOW_CLOSED = gettext_noop("{year} 年度逆向考核的评价时间为 {opens} 至 {closes}（北京时间），现在不在评价时间内。")
MSG_NOTHING_SENT = gettext_noop("{department} 在 {year} 年度没有向本单位发文、开会或督查检查考核，不能评价。")
MSG_WINDOW_EXISTS = gettext_noop("{year} 年度的评价时段已经设置。")
MSG_WINDOW_DATES = gettext_noop("截止日期不能早于开始日期。")
MSG_ALREADY_CLOSED = gettext_noop("{year} 年度逆向考核已经结束，不能重新开启或修改。")
MSG_RELEASE_OPEN = gettext_noop("评价时段结束后才能公开意见。")
MSG_NOT_OFFICE = gettext_noop("只有减负办可以管理逆向考核。")

RATED_STATES = (State.APPROVED, State.COMPLETED)
SCORES = tuple(Dimension.values)


def rater_key(unit, year: int) -> str:
    """The unit's pseudonym for one year: a keyed hash, stable while SECRET_KEY is."""
    return salted_hmac("grassroots.evaluations.rater", f"{unit.pk}:{year}", algorithm="sha256").hexdigest()


# --- the window ---------------------------------------------------------------------

def shanghai_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=SHANGHAI)


def window_of(year: int) -> EvaluationWindow | None:
    return EvaluationWindow.objects.filter(year=year).first()


def open_window(now=None) -> EvaluationWindow | None:
    """The window open now, if any (the latest year if several are)."""
    now = now or timezone.now()
    return EvaluationWindow.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("-year").first()


def window_set(*, by, year: int, opens_on: datetime.date, closes_on: datetime.date) -> EvaluationWindow:
    """The office opens (or moves the dates of) a year's window: from 00:00 on
    `opens_on` to the end of `closes_on`, Asia/Shanghai. A window that has closed
    stays closed (see EvaluationWindow)."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    if closes_on < opens_on:
        raise SubmissionRefused(_(MSG_WINDOW_DATES), problems=[Problem("closes_on", "invalid", _(MSG_WINDOW_DATES))])
    opens_at, closes_at = shanghai_midnight(opens_on), shanghai_midnight(closes_on + datetime.timedelta(days=1))
    with committing(transaction.atomic(durable=True)):
        window = EvaluationWindow.objects.select_for_update().filter(year=year).first()
        if window is None:
            return EvaluationWindow.objects.create(year=year, opens_at=opens_at, closes_at=closes_at, opened_by=by)
        if window.has_closed(timezone.now()):
            raise InvalidTransition(_(MSG_ALREADY_CLOSED).format(year=year), code="window_closed")
        window.opens_at, window.closes_at = opens_at, closes_at
        window.save(update_fields=["opens_at", "closes_at"])
        return window


def window_close(*, by, year: int) -> EvaluationWindow:
    """The office ends a year's rating now (e.g. every unit has rated)."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    with committing(transaction.atomic(durable=True)):
        window = EvaluationWindow.objects.select_for_update().filter(year=year).first()
        now = timezone.now()
        if window is None or window.has_closed(now):
            raise InvalidTransition(_(MSG_ALREADY_CLOSED).format(year=year), code="window_closed")
        window.closes_at = max(now, window.opens_at + datetime.timedelta(microseconds=1))
        window.closed_early_by = by
        window.save(update_fields=["closes_at", "closed_early_by"])
        return window


# --- who may be rated ---------------------------------------------------------------

def burden_items(unit, year: int):
    """The registered items that reached `unit` in `year` (the year each counts
    against, approvals.selectors.in_year), approved or completed:

    - documents and meetings whose target levels include the unit's level — a
      document to "all townships" reaches every township;
    - inspections whose visited units include the unit (an inspection reaches
      only the units it visits, whatever its target levels say).

    Withdrawn, rejected and cancelled items never reached anyone."""
    items = in_year(Proposal.objects.filter(state__in=RATED_STATES), year)
    # JSON containment is not available on SQLite: match the quoted level in the
    # list's JSON text (levels are fixed words, none inside another with quotes).
    by_level = Q(kind__in=(Kind.DOCUMENT, Kind.MEETING), target_levels__icontains=f'"{unit.level}"')
    visited = Q(kind=Kind.INSPECTION, units=unit)
    return items.filter(by_level | visited).distinct()


def rateable_departments(unit, year: int):
    """The departments that sent `unit` burden in `year` (burden_items), by code."""
    ids = burden_items(unit, year).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("code")


# --- rating -------------------------------------------------------------------------

def rating_of(*, unit, department, year: int) -> Rating | None:
    """The unit's own rating (for its reporter's page only)."""
    return Rating.objects.filter(rater_key=rater_key(unit, year), department=department, year=year).first()


def rating_submit(*, by, department, year: int, scores: dict, comment: str = "") -> tuple[Rating, bool]:
    """A reporter's unit rates `department` for `year`; again within the window
    replaces the unit's earlier rating. Returns (rating, created).

    The race this prevents: a rating landing after the office closed the window,
    or two submissions of one unit both creating a row. The window row is locked
    for the transaction (closing takes the same lock), and the unique constraint
    on (rater_key, department, year) turns a second insert into an update."""
    policy.require_file(by)
    unit = by.department
    fields = {name: int(scores[name]) for name in SCORES}
    for name, value in fields.items():
        if not 1 <= value <= 5:
            message = _("评分应为 1 到 5。")
            raise SubmissionRefused(message, problems=[Problem(f"scores.{name}", "invalid", message)])
    fields["comment"] = (comment or "").strip()
    with committing(transaction.atomic(durable=True)):
        window = EvaluationWindow.objects.select_for_update().filter(year=year).first()
        _require_open(window, year)
        if not burden_items(unit, year).filter(department=department).exists():
            message = _(MSG_NOTHING_SENT).format(department=department.name, year=year)
            raise SubmissionRefused(message, code="not_rateable",
                                    problems=[Problem("department", "not_rateable", message)])
        key = rater_key(unit, year)
        try:
            with transaction.atomic():
                rating, created = Rating.objects.update_or_create(
                    rater_key=key, department=department, year=year, defaults=fields)
        except IntegrityError:
            Rating.objects.filter(rater_key=key, department=department, year=year).update(**fields)
            rating, created = Rating.objects.get(rater_key=key, department=department, year=year), False
    return rating, created


def _require_open(window, year):
    if window is None:
        raise InvalidTransition(_(MSG_NO_WINDOW).format(year=year), code="window_closed")
    if not window.is_open(timezone.now()):
        last_day = (window.closes_at.astimezone(SHANGHAI) - datetime.timedelta(microseconds=1)).date()
        raise InvalidTransition(_(MSG_WINDOW_CLOSED).format(
            year=year, opens=window.opens_at.astimezone(SHANGHAI).date(), closes=last_day), code="window_closed")


def comment_release(*, by, rating_id: int, text: str) -> Rating:
    """The office releases one comment to the rated department, edited to remove
    anything that identifies the unit; an empty text withdraws the release."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    with committing(transaction.atomic(durable=True)):
        rating = Rating.objects.select_for_update().get(pk=rating_id)
        window = window_of(rating.year)
        if window is None or not window.has_closed(timezone.now()):
            raise InvalidTransition(_(MSG_RELEASE_OPEN), code="window_open")
        rating.released_text = (text or "").strip()
        rating.save(update_fields=["released_text"])
    return rating
