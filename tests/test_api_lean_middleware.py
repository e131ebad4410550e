"""The lean path (config.middleware): a call to /api/ carrying `Authorization:
Token …` skips sessions and flash messages, needs no CSRF token, and keeps
everything else; a browser's session call to the API keeps the whole chain,
CSRF included."""

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from approvals.api.authentication import TokenWithRolesAuthentication
from tests.api import document_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(people) -> str:
    return Token.objects.create(user=people.clerk).key


@pytest.fixture
def api(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def skipped(request) -> bool:
    """Whether the session, authentication and messages middleware left `request` alone."""
    return not hasattr(request, "session") and not hasattr(request, "_messages")


def test_a_token_call_skips_session_and_messages(api):
    response = api.get("/api/v1/departments/")
    assert response.status_code == 200
    assert skipped(response.wsgi_request)
    assert "Set-Cookie" not in response and not response.cookies


def test_a_token_call_writes_without_a_csrf_token(people, api):
    response = api.post("/api/v1/proposals/", document_body(year=people.year), format="json")
    assert response.status_code == 201, response.content
    assert skipped(response.wsgi_request)


def test_a_session_call_to_the_api_keeps_the_whole_chain(people):
    client = APIClient()
    client.force_login(people.clerk)
    response = client.get("/api/v1/departments/")
    assert response.status_code == 200
    assert not skipped(response.wsgi_request)


def test_a_session_call_to_the_api_still_needs_the_csrf_token(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.clerk)
    refused = browser.post("/api/v1/proposals/", document_body(year=people.year),
                           content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/accounts/login/")  # any form page hands out the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post("/api/v1/proposals/", document_body(year=people.year),
                            content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content


def test_a_token_header_never_falls_back_to_the_session(people):
    """A forged or stale token next to a valid session cookie is refused, not
    answered from the session: the lean path cannot carry a cross-site write."""
    client = APIClient()
    client.force_login(people.clerk)
    client.credentials(HTTP_AUTHORIZATION="Token forged")
    response = client.post("/api/v1/proposals/", document_body(year=people.year), format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_token_header_outside_the_api_changes_nothing(people, token):
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert not skipped(response.wsgi_request)
    assert "csrftoken" in response.cookies


def test_the_security_headers_stay(api):
    response = api.get("/api/v1/departments/", secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=")


def test_the_language_follows_the_request(api):
    english = api.get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.get("/api/v1/nowhere/")
    assert english.json() == {"code": "not_found", "detail": "Not found."}
    assert chinese.json() == {"code": "not_found", "detail": "未找到。"}
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"


def test_an_unknown_path_is_a_json_404_not_a_redirect(api):
    for path in ("/api/v1/nowhere/", "/api/v1/departments"):
        response = api.post(path, {}, format="json")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"


def test_a_database_that_went_away_is_a_503(api, monkeypatch):
    def gone(self, key):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(TokenWithRolesAuthentication, "authenticate_credentials", gone)
    response = api.get("/api/v1/departments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert skipped(response.wsgi_request)
