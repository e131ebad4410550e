"""Per-department task permissions for viewflow's queues.

viewflow shows a task to users holding the task's permission string. These
strings name the proposal's department, and RoleBackend grants them from the
user's role and department, so a head's queue holds only their department's
items and a reviewer's or leader's queue never holds their own department's.
The services check the same rules again before any decision.
"""

from django.contrib.auth.backends import BaseBackend

from quotas.models import Department, Role


def clerk_perm(department_id) -> str:
    return f"approvals.clerk_of_{department_id}"


def head_perm(department_id) -> str:
    return f"approvals.head_sign_{department_id}"


def office_perm(department_id) -> str:
    return f"approvals.office_review_{department_id}"


def leader_perm(department_id) -> str:
    return f"approvals.leader_review_{department_id}"


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_jianfu_perm_cache"):
            user_obj._jianfu_perm_cache = self._compute(user_obj)
        return user_obj._jianfu_perm_cache

    def _compute(self, user) -> set[str]:
        roles = user.roles
        own = user.department_id
        perms = set()
        if own is not None and Role.CLERK in roles:
            perms.add(clerk_perm(own))
        if own is not None and Role.HEAD in roles:
            perms.add(head_perm(own))
        if Role.REVIEWER in roles or Role.LEADER in roles:
            others = Department.objects.exclude(pk=own).values_list("pk", flat=True)
            for pk in others:
                if Role.REVIEWER in roles:
                    perms.add(office_perm(pk))
                if Role.LEADER in roles:
                    perms.add(leader_perm(pk))
        return perms
