"""Who may generate and download compliance reports: the review office, the
leading group and the auditors (and superusers). Reports cover every
department, so clerks and heads get 403."""

from quotas.models import Role

REPORT_ROLES = {Role.REVIEWER, Role.LEADER, Role.AUDITOR}


def may_use_reports(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.roles & REPORT_ROLES))
