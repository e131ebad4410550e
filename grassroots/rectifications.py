"""整改: the loop 识别—整治—反馈—优化 closes.

The office opens an item for a department from a confirmed flag against it, or
from its ratings of a closed year when they are published (at least the
threshold of units) and their mean is below JIANFU["EVALUATION_LOW_MEAN"]. The
department answers what will change and by when; the office closes it (销号)
when it has changed. Nothing in an item names a reporter or a rater.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.errors import InvalidTransition, NotAllowed, SubmissionRefused
from approvals.problems import Problem
from quotas.access import sees_all_departments
from quotas.models import Role
from quotas.transactions import committing

from . import policy
from .models import Flag, FlagState, Rectification, RectificationState

MSG_NOT_OFFICE = gettext_noop("只有减负办可以交办和销号整改事项。")
MSG_NOT_DEPARTMENT = gettext_noop("只有被交办部门的负责人或经办人可以答复整改措施。")
MSG_FLAG_NOT_CONFIRMED = gettext_noop("只有已确认的线索可以交办整改。")
MSG_NOT_LOW = gettext_noop("{department} {year} 年度逆向考核结果未公布或不低于 {low}，不能据此交办整改。")
MSG_STATE = gettext_noop("该整改事项当前为“{state}”，不能这样操作。")
MSG_PAST = gettext_noop("整改时限不能早于今天。")
MSG_REQUIRED = gettext_noop("请填写{what}。")
ANSWERING_ROLES = {Role.HEAD, Role.CLERK}


def _text(value, field, what):
    value = (value or "").strip()
    if not value:
        message = _(MSG_REQUIRED).format(what=what)
        raise SubmissionRefused(message, problems=[Problem(field, "required", message)])
    return value


def rectification_open(*, by, problem: str, flag: Flag | None = None, department=None,
                       rating_year: int | None = None) -> Rectification:
    """From a confirmed flag (the department is its issuer) or from a low rating
    (`department` and `rating_year`)."""
    if not policy.is_office(by):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    problem = _text(problem, "problem", _("问题"))
    if flag is not None:
        if flag.state != FlagState.CONFIRMED:
            raise SubmissionRefused(_(MSG_FLAG_NOT_CONFIRMED), problems=[Problem("flag", "invalid", _(MSG_FLAG_NOT_CONFIRMED))])
        department, rating_year = flag.issuer, None
    else:
        from .selectors import evaluation_figures

        row = evaluation_figures(rating_year)["departments"].get(department.pk)
        low = settings.JIANFU["EVALUATION_LOW_MEAN"]
        if row is None or row["overall"] >= low:
            message = _(MSG_NOT_LOW).format(department=department.name, year=rating_year, low=low)
            raise SubmissionRefused(message, problems=[Problem("department", "invalid", message)])
    with committing(transaction.atomic(durable=True)):
        return Rectification.objects.create(department=department, flag=flag, rating_year=rating_year,
                                            problem=problem, opened_by=by)


def _locked(item):
    return Rectification.objects.select_for_update().select_related("department").get(pk=item.pk)


def may_answer(user, item) -> bool:
    return bool(user.roles & ANSWERING_ROLES) and user.department_id == item.department_id


def rectification_plan(*, by, item: Rectification, measures: str, due_on: datetime.date) -> Rectification:
    """The department says what will change and by when (again while not closed: revised)."""
    measures = _text(measures, "measures", _("整改措施"))
    if due_on is None or due_on < timezone.localdate():
        raise SubmissionRefused(_(MSG_PAST), problems=[Problem("due_on", "invalid", _(MSG_PAST))])
    with committing(transaction.atomic(durable=True)):
        current = _locked(item)
        if not may_answer(by, current):
            raise NotAllowed(_(MSG_NOT_DEPARTMENT))
        if current.state == RectificationState.CLOSED:
            raise InvalidTransition(_(MSG_STATE).format(state=current.get_state_display()))
        current.measures, current.due_on, current.planned_by = measures, due_on, by
        current.state = RectificationState.PLANNED
        current.save()
    return current


def rectification_close(*, by, item: Rectification, note: str) -> Rectification:
    """The office closes (销号) an item whose measures it has seen carried out."""
    note = _text(note, "note", _("销号意见"))
    with committing(transaction.atomic(durable=True)):
        current = _locked(item)
        if not policy.is_office(by):
            raise NotAllowed(_(MSG_NOT_OFFICE))
        if current.state != RectificationState.PLANNED:
            raise InvalidTransition(_(MSG_STATE).format(state=current.get_state_display()))
        current.state, current.closed_by, current.closed_at = RectificationState.CLOSED, by, timezone.now()
        current.closing_note = note
        current.save()
    return current


def visible_rectifications(user):
    items = Rectification.objects.select_related("department", "flag")
    if not user.is_authenticated:
        return items.none()
    if sees_all_departments(user):
        return items
    if user.department_id is None or Role.REPORTER in user.roles:
        return items.none()
    return items.filter(department_id=user.department_id)


def get_for_user(user, pk) -> Rectification:
    try:
        return visible_rectifications(user).get(pk=pk)
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item") from None
