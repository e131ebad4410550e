"""Who may see what. Clerks and heads see their own department; the review
office, the leaders, the auditors and administrators see every department."""

from .models import Department, Role

SEES_ALL = {Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR}


def sees_all_departments(user) -> bool:
    return user.is_superuser or bool(user.roles & SEES_ALL)


def visible_departments(user):
    if sees_all_departments(user):
        return Department.objects.all()
    if user.department_id is None:
        return Department.objects.none()
    return Department.objects.filter(pk=user.department_id)
