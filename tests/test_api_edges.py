"""Smaller holes the outside test found in the API's edges."""

import pytest

from tests.api import client_for, meeting_body  # noqa: F401
from tests.factory import People, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People()


# %0A is how a newline arrives over HTTP: "." in the old catch-all did not match it.
@pytest.mark.parametrize("path", ["/api/v1/%0A", "/api/v1/x%0Ay", "/api/v1/proposals/%0A", "/api/v1/x\ny"])
def test_an_api_path_with_a_newline_is_a_json_404(people, path):
    response = client_for(people.clerk).get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_escalation_reasons_are_stored_as_codes_and_read_in_the_readers_language(people):
    """Regression: reasons were stored in the submitter's request language."""
    created = client_for(people.clerk).post("/api/v1/proposals/", meeting_body(
        attendees_township=80, principals_required=True), format="json").json()
    submitted = client_for(people.clerk, language="en").post(
        f"/api/v1/proposals/{created['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    stored = reload(people.meeting_quota).proposals.get().escalations
    assert [r["code"] for r in stored] == ["grassroots_attendees", "principals_required"]
    chinese = client_for(people.reviewer).get(f"/api/v1/proposals/{created['id']}/").json()
    assert chinese["escalation_reasons"][0] == "乡镇及以下参会 80 人，超过 50 人"
    english = client_for(people.reviewer, language="en").get(f"/api/v1/proposals/{created['id']}/").json()
    assert "乡镇" not in english["escalation_reasons"][0] and "80" in english["escalation_reasons"][0]


@pytest.mark.parametrize("params", [{"year": ""}, {"department": ""}, {"state": ""}, {"kind": ""}])
def test_a_blank_query_parameter_is_refused_as_the_schema_declares(people, params):
    response = client_for(people.reviewer).get("/api/v1/proposals/", params)
    assert response.status_code == 400 and list(response.json()["errors"]) == list(params)


def _schema():
    from rest_framework.test import APIClient

    return APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_schema_states_the_rules_the_server_enforces():
    components = _schema()["components"]["schemas"]
    write = components["ProposalWriteRequest"]["properties"]
    assert write["title"]["pattern"] == r"^[^\u0000]*$"  # no NUL characters
    assert "1900–2999" in write["planned_date"]["description"]
    assert "须晚于 start" in write["end"]["description"]
    cancel = components["CancelRequest"]
    assert cancel["required"] == ["comment"] and cancel["properties"]["comment"]["minLength"] == 1
    assert "actual_attendees" in components["CompleteRequest"]["description"]
