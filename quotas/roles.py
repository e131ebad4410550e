"""The roles are Django groups; this keeps their permissions in one place."""

from django.contrib.auth.models import Group, Permission

from .models import Role

VIEW_ALL = [
    "quotas.view_department", "quotas.view_quota", "quotas.view_ledgerentry",
    "quotas.view_meetingfreerule", "quotas.view_meetingcostrate",
    "approvals.view_proposal", "approvals.view_proposalevent",
    "grassroots.view_flag",
]

ROLE_PERMISSIONS = {
    Role.CLERK: ["approvals.add_proposal", "approvals.change_proposal", "approvals.view_proposal"],
    Role.HEAD: ["approvals.view_proposal"],
    Role.REPORTER: ["grassroots.add_flag", "grassroots.view_flag"],
    Role.REVIEWER: VIEW_ALL,
    Role.LEADER: VIEW_ALL,
    Role.AUDITOR: VIEW_ALL,
    Role.ADMINISTRATOR: VIEW_ALL + [
        "quotas.add_department", "quotas.change_department",
        "quotas.add_quota", "quotas.change_quota",
        "quotas.add_meetingfreerule", "quotas.change_meetingfreerule",
        "quotas.delete_meetingfreerule",
        "quotas.add_meetingcostrate", "quotas.change_meetingcostrate",
        "quotas.view_holiday", "quotas.add_holiday", "quotas.change_holiday", "quotas.delete_holiday",
        "quotas.add_user", "quotas.change_user", "quotas.view_user",
    ],
}


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give them their permissions (idempotent)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
