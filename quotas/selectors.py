"""Reads of quotas, with the filters written once (dashboard and API)."""

from django.db.models import QuerySet

from .access import visible_departments
from .models import Quota


def quota_list(*, user, year: int | None = None, department: str | None = None,
               kind: str | None = None) -> QuerySet:
    """The quotas `user` may see (clerks and heads: their department's), filtered;
    by department code, then kind."""
    quotas = Quota.objects.filter(department__in=visible_departments(user)).select_related("department")
    if year is not None:
        quotas = quotas.filter(year=year)
    if department:
        quotas = quotas.filter(department__code=department)
    if kind:
        quotas = quotas.filter(kind=kind)
    return quotas.order_by("-year", "department__code", "kind")
