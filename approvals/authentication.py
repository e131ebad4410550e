"""Who is signed in, with what the policy reads of them, in one statement.

Every page read the session's user, then their groups (`User.roles`), then —
for the nav's to-do count and the policy — their deputyships of today: three
statements before the page did any work. `SessionUserBackend.get_user` (what
Django's AuthenticationMiddleware calls for a signed-in session) answers the
three at once, as approvals.api.authentication does for tokens. Nothing is
kept between requests: a deactivated user or a removed role counts from the
next request.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, OuterRef
from django.utils import timezone

from . import deputies


def attach_roles(user, *, roles: set[str], deputising: bool, today: datetime.date) -> None:
    """Set the caches User.roles and current_deputyships() read (each computes on
    its own when unset): a user who deputises today still reads their
    deputyships there, with the principals' roles. Shared with the token
    authentication (approvals.api.authentication)."""
    user._roles = roles
    if not deputising:
        deputies.remember_none(user, today)


class SessionUserBackend(ModelBackend):
    """Django's ModelBackend, reading the session's user with their roles and
    today's deputyships in one statement."""

    def get_user(self, user_id):
        # One row per role of the user (a LEFT JOIN: None for a user without one).
        today = timezone.localdate()
        rows = list(get_user_model()._default_manager.filter(pk=user_id).annotate(
            role=F("groups__name"), deputising=deputies.current_exists(today, deputy=OuterRef("pk"))))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        attach_roles(rows[0], roles={row.role for row in rows if row.role is not None},
                     deputising=rows[0].deputising, today=today)
        return rows[0]

