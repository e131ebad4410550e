"""/api/v1/: authentication, departments, quotas, the schema, and errors as JSON."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from quotas.models import Kind
from tests.api import client_for
from tests.factory import make_department, make_quota

pytestmark = pytest.mark.django_db


def test_it_answers_401_with_a_json_code_without_credentials(people):
    response = APIClient().get("/api/v1/proposals/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_it_refuses_a_bad_token(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    response = client.get("/api/v1/departments/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_it_accepts_a_token_from_drf_create_token(people, capsys):
    call_command("drf_create_token", "clerk")
    key = Token.objects.get(user=people.clerk).key
    assert key in capsys.readouterr().out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/departments/").status_code == 200


def test_it_accepts_a_session(people, client):
    client.force_login(people.clerk)
    assert client.get("/api/v1/quotas/").status_code == 200


def test_it_lists_departments_with_parent_codes(people):
    make_department("JH-EDU-1", name="第一中学", level="township", parent=people.dept)
    rows = client_for(people.clerk).get("/api/v1/departments/").json()["results"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["JH-EDU"] == {"code": "JH-EDU", "name": "江海市教育局", "level": "city", "parent": None}
    assert by_code["JH-EDU-1"]["parent"] == "JH-EDU"


def test_it_shows_a_clerk_only_their_departments_quotas(people):
    rows = client_for(people.clerk).get("/api/v1/quotas/").json()["results"]
    assert {row["department"] for row in rows} == {"JH-EDU"}
    document = next(row for row in rows if row["kind"] == "document")
    assert document == {
        "department": "JH-EDU", "year": 2027, "kind": "document", "cap": 5, "reserved": 0,
        "committed": 0, "overridden": 0, "flagged": 0, "remaining": 5, "state": "normal", "monthly": [],
    }


def test_it_shows_the_review_office_every_quota_and_filters_them(people):
    make_quota(people.other, year=2028, kind=Kind.MEETING, cap=1)
    client = client_for(people.reviewer)
    assert {r["department"] for r in client.get("/api/v1/quotas/").json()["results"]} == {"JH-EDU", "JH-AGRI"}
    rows = client.get("/api/v1/quotas/", {"year": 2028, "department": "JH-AGRI", "kind": "meeting"}).json()["results"]
    assert [(r["year"], r["cap"]) for r in rows] == [(2028, 1)]


def test_it_reports_the_breaker_state(people):
    from approvals import services

    for _ in range(5):
        people.submitted(people.document())
    rows = client_for(people.head).get("/api/v1/quotas/", {"kind": "document"}).json()["results"]
    assert (rows[0]["state"], rows[0]["remaining"], rows[0]["reserved"]) == ("tripped", 0, 5)
    assert services  # submitted through the services


@pytest.mark.parametrize("params", [{"year": "soon"}, {"year": 10**30}, {"kind": "survey"},
                                    {"department": "JH\x00EDU"}])
def test_it_refuses_bad_filters_with_400(people, params):
    response = client_for(people.reviewer).get("/api/v1/quotas/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_serves_a_valid_openapi_schema_without_credentials():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/proposals/{id}/submit/" in schema["paths"]
    submit = schema["paths"]["/api/v1/proposals/{id}/submit/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "503"} <= set(submit)
    title = schema["components"]["schemas"]["ProposalWriteRequest"]["properties"]["title"]
    assert title["maxLength"] == 200


def test_it_serves_the_docs_page_from_its_own_static_files():
    """The CSP allows scripts from 'self' only, so Swagger UI must not come from a CDN."""
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_it_answers_unknown_paths_with_json_404(people):
    for path in ["/api/v1/nothing/", "/api/v1/proposals", "/api/v1/proposals/abc/"]:
        response = client_for(people.clerk).post(path, {}, format="json")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_it_answers_405_in_json(people):
    response = client_for(people.clerk).put("/api/v1/departments/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_it_refuses_malformed_json_with_400(people):
    response = client_for(people.clerk).generic(
        "POST", "/api/v1/proposals/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("raw", [
    '{"kind": "document", "title": "ok", "necessity": "x", "target_levels": ["\\udfff"]}',
    '{"\\ud800": 1}',
    "[" * 100_000 + "]" * 100_000,
    '{"kind": "document", "title": "NaN", "necessity": NaN}',
    b'{"title": "\xff\xfe"}',
])
def test_it_refuses_json_that_cannot_be_stored_with_400(people, raw):
    """Lone surrogates cannot be encoded as UTF-8, deep nesting exhausts the stack: both were 500s."""
    body = raw if isinstance(raw, bytes) else raw.encode()
    response = client_for(people.clerk).generic("POST", "/api/v1/proposals/", body,
                                                content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_it_refuses_form_encoded_bodies_with_415(people):
    response = client_for(people.clerk).post("/api/v1/proposals/", {"kind": "document"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_it_speaks_chinese_by_default_and_english_on_request(people):
    zh = APIClient().get("/api/v1/quotas/").json()["detail"]
    en = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/quotas/").json()["detail"]
    assert en == "Authentication credentials were not provided."
    assert zh != en
