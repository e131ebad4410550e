import logging

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from rest_framework.authentication import get_authorization_header

from quotas.transactions import DATABASE_ERRORS, MSG_OUTCOME_UNKNOWN, MSG_UNAVAILABLE, OutcomeUnknown

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class DatabaseUnavailableMiddleware:
    """A database that refuses or times out (lock timeout, dropped connection)
    becomes a clear 503 instead of a bare 500, saying only what is known:
    "nothing changed, retry" when the service's transaction rolled back, and
    "outcome unknown, reload first" when the connection failed in the commit
    (quotas.transactions.committing tells them apart).
    """

    MESSAGE = MSG_UNAVAILABLE

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OutcomeUnknown):
            code, message = OutcomeUnknown.code, gettext(MSG_OUTCOME_UNKNOWN)
        elif isinstance(exception, DATABASE_ERRORS):
            code, message = "database_unavailable", gettext(MSG_UNAVAILABLE)
        else:
            return None
        logger.warning("%s during %s %s: %s", code, request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": code, "detail": message}, status=503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response


# --- the lean path for token-authenticated API calls ---------------------------
# A program calling /api/ with `Authorization: Token …` is authenticated by DRF
# from that header alone (approvals.api.authentication); with such a header DRF
# never falls back to the session. A session and flash messages mean nothing
# to it, so the Lean* middleware below let it pass. Everything else runs as
# for any request: security headers, CSP, frame options, locale, the 503
# mapping, the JSON 404 — and Django's own CsrfViewMiddleware and axes, which
# cost next to nothing here (no cookie to read; DRF's views are csrf_exempt and
# check CSRF themselves for session calls) and which `check --deploy` and axes'
# own checks want to see by name. A browser calling the API with its session
# sends no such header and keeps the whole chain.

def is_token_api_request(request) -> bool:
    """Whether DRF's token authentication, and only it, answers this request."""
    if not request.path_info.startswith("/api/"):
        return False
    words = get_authorization_header(request).split()
    return bool(words) and words[0].lower() == b"token"


class SkippedOnTokenApi:
    """Mixin: the middleware lets a token API request pass untouched."""

    # Sync only: under ASGI Django adapts the chain around it.
    async_capable = False

    def __call__(self, request):
        if is_token_api_request(request):
            return self.get_response(request)
        return super().__call__(request)


class LeanSessionMiddleware(SkippedOnTokenApi, SessionMiddleware):
    pass


class LeanAuthenticationMiddleware(SkippedOnTokenApi, AuthenticationMiddleware):
    def __call__(self, request):
        if is_token_api_request(request):
            # Until DRF authenticates the token (and sets request.user), anything
            # that asks sees nobody; viewflow's SiteMiddleware asks before any view.
            request.user = AnonymousUser()
        return super().__call__(request)


class LeanMessageMiddleware(SkippedOnTokenApi, MessageMiddleware):
    pass
