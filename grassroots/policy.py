"""Who may do what with flags, and who may know who filed one.

A grassroots reporter (基层联络员) of a township or village unit files flags
and sees their own. The review office (reviewers) sees every flag and its
reporter, and decides it — except a flag against its own department. Auditors,
leaders and administrators see every flag; a department's own people see the
flags against it. Only the review office (and a superuser) sees who filed a
flag: everyone else gets the flag without reporter or unit, on every path.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.errors import NotAllowed
from quotas.access import sees_all_departments
from quotas.models import GRASSROOTS_LEVELS, Role

from .models import Flag

MSG_NOT_REPORTER = gettext_noop("只有乡镇、村级单位的基层联络员可以反映线索。")
MSG_NOT_OFFICE = gettext_noop("只有减负办审核人可以核查线索。")
MSG_OWN_DEPARTMENT = gettext_noop("不能核查反映本部门的线索。")


def may_file(user) -> bool:
    department = user.department if user.is_authenticated else None
    return (Role.REPORTER in user.roles and department is not None
            and department.level in GRASSROOTS_LEVELS)


def require_file(user) -> None:
    if not may_file(user):
        raise NotAllowed(_(MSG_NOT_REPORTER))


def is_office(user) -> bool:
    return user.is_authenticated and Role.REVIEWER in user.roles


def may_triage(user, flag: Flag) -> bool:
    return is_office(user) and user.department_id != flag.issuer_id


def require_triage(user, flag: Flag) -> None:
    if not is_office(user):
        raise NotAllowed(_(MSG_NOT_OFFICE))
    if user.department_id == flag.issuer_id:
        raise NotAllowed(_(MSG_OWN_DEPARTMENT))


def sees_reporter(user, flag: Flag | None = None) -> bool:
    """The review office and superusers; a reporter for their own flags."""
    if user.is_superuser or is_office(user):
        return True
    return flag is not None and flag.reporter_id == user.pk


def visible_flags(user):
    flags = Flag.objects.select_related("issuer", "unit", "reporter", "matched_proposal")
    if not user.is_authenticated:
        return flags.none()
    if sees_all_departments(user):
        return flags
    if Role.REPORTER in user.roles:
        return flags.filter(reporter=user)
    if user.department_id is None:
        return flags.none()
    return flags.filter(issuer_id=user.department_id)


def get_flag_for_user(user, pk) -> Flag:
    """The flag if `user` may see it, else 404 (guessing ids reveals nothing)."""
    try:
        return visible_flags(user).get(pk=pk)
    except (Flag.DoesNotExist, ValueError, TypeError):
        raise Http404("No such flag") from None
