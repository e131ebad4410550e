"""Test data from code: the named people of each role and what they work on."""

import itertools

from django.contrib.auth.models import Group

from quotas.models import Department, Kind, Level, Quota, User
from quotas.roles import ensure_roles
from quotas.services import quota_set_cap

_seq = itertools.count(1)


def make_department(code=None, *, name=None, level=Level.CITY, parent=None, issues=True):
    n = next(_seq)
    code = code or f"T-{n}"
    return Department.objects.create(
        code=code, name=name or f"测试部门{n}", level=level, parent=parent, issues_proposals=issues
    )


def make_user(username=None, *, role=None, department=None, password="pw"):
    ensure_roles()
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=password, department=department)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_quota(department=None, *, year=2026, kind=Kind.DOCUMENT, cap=10, warning_ratio=None):
    department = department or make_department()
    quota, _ = quota_set_cap(
        department=department, year=year, kind=kind, cap=cap, warning_ratio=warning_ratio
    )
    return quota


def reload(quota: Quota) -> Quota:
    quota.refresh_from_db()
    return quota
