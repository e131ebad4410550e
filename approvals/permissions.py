"""The authentication backend that grants viewflow's per-department task
permissions. Which ones a user holds is approvals.policy.task_permissions:
a head's queue holds only their department's items, and a reviewer's or
leader's queue never holds their own department's. The services check the
same policy again before any decision."""

from django.contrib.auth.backends import BaseBackend


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_jianfu_perm_cache"):
            from .policy import task_permissions

            user_obj._jianfu_perm_cache = task_permissions(user_obj)
        return user_obj._jianfu_perm_cache
