import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

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
