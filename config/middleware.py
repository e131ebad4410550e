import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop

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
    becomes a clear 503 asking the user to retry, not a bare 500.

    Nothing is half-done: every service runs in one transaction, which the
    database has already rolled back when the error reaches this point.
    """

    MESSAGE = gettext_noop("系统繁忙或数据库暂时不可用，本次操作未生效，请稍后重试。")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        message = gettext(self.MESSAGE)
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "database_unavailable", "detail": message}, status=503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response
