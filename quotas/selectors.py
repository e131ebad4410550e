"""Reads of quotas, with the filters written once (dashboard and API)."""

from django.db.models import Q, QuerySet

from .access import sees_all_departments, visible_departments
from .models import Quota


def quota_list(*, user, year: int | None = None, department: str | None = None,
               kind: str | None = None) -> QuerySet:
    """The quotas `user` may see (clerks and heads: their department's and the
    parent departments' caps that also count their items), filtered; by
    department code, then kind."""
    quotas = Quota.objects.filter(
        Q(department__in=visible_departments(user)) | Q(department__in=_ancestors(user))
    ).select_related("department").prefetch_related("months")
    if year is not None:
        quotas = quotas.filter(year=year)
    if department:
        quotas = quotas.filter(department__code=department)
    if kind:
        quotas = quotas.filter(kind=kind)
    return quotas.order_by("-year", "department__code", "kind")


def _ancestors(user) -> list[int]:
    """The departments above `user`'s (their caps count the user's department's items)."""
    if sees_all_departments(user) or user.department_id is None:
        return []
    from .services import ancestor_ids

    return ancestor_ids(user.department_id)
