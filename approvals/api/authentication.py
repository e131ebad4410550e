"""Token authentication that reads the token, its user and what the policy
needs of the user in one statement.

DRF's TokenAuthentication reads the token joined to its user; the policy then
asks for the user's groups (`User.roles`) and, for clerks and heads, their
deputyships of today (`approvals.deputies.current_deputyships`): three
statements before a request does any work. Here one statement answers all
three — the role names come as one row each (a LEFT JOIN, so a user without a
role still has one row), and whether the user deputises for anyone today as an
EXISTS, so that the many who do not never ask again.

Nothing is cached between requests, on purpose: a deleted token, a deactivated
user or a removed role counts from the very next request.
"""

from django.db.models import F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from approvals import deputies
from approvals.authentication import attach_roles


class TokenWithRolesAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, answered as DRF's TokenAuthentication does
    (same 401s and messages), with the user's roles and deputyships attached."""

    def authenticate_credentials(self, key):
        today = timezone.localdate()
        rows = list(
            self.get_model().objects.select_related("user").filter(key=key)
            .annotate(role=F("user__groups__name"),
                      deputising=deputies.current_exists(today, deputy=OuterRef("user_id")))
        )
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, user = rows[0], rows[0].user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        attach_roles(user, roles={row.role for row in rows if row.role is not None},
                deputising=token.deputising, today=today)
        return user, token
