"""/api/v1/proposals/: create, edit, list with filters, read with the audit trail."""

import pytest

from approvals import services
from approvals.models import Proposal, State
from tests.api import client_for, document_body, meeting_body
from tests.factory import reload

pytestmark = pytest.mark.django_db


def test_it_creates_a_document_draft_for_the_callers_department(people):
    response = client_for(people.clerk).post("/api/v1/proposals/?expand=detail", document_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["department"] == "JH-EDU"
    proposal = Proposal.objects.get(pk=body["id"])
    assert (proposal.created_by, proposal.length_chars, proposal.quota_year) == (people.clerk, 1800, 2027)
    assert [e["action"] for e in body["history"]] == ["create"]


def test_it_creates_a_meeting_draft_with_times_in_any_offset(people):
    body = meeting_body(start="2027-09-14T01:00:00Z", end="2027-09-14T03:00:00Z")
    response = client_for(people.clerk).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 201, response.json()
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert proposal.planned_day.isoformat() == "2027-09-14" and proposal.attendees_city == 20


def test_it_accepts_document_fields_of_a_joint_document_it_leads(people):
    body = document_body(is_joint=True, co_departments=["JH-AGRI"], forms_required=2,
                         one_vote_veto=True, responsibility_pledge=True)
    response = client_for(people.clerk).post("/api/v1/proposals/?expand=detail", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["lead_department"] == "JH-EDU"
    assert response.json()["co_departments"] == ["JH-AGRI"]


def test_it_creates_an_incomplete_draft_as_the_web_form_does(people):
    body = {"kind": "meeting", "title": "待定的会议", "necessity": "尚在筹备。"}
    response = client_for(people.clerk).post("/api/v1/proposals/?expand=detail", body, format="json")
    assert response.status_code == 201
    assert (response.json()["start"], response.json()["quota_year"]) == (None, None)


def test_it_lets_only_clerks_create(people):
    response = client_for(people.head).post("/api/v1/proposals/", document_body(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_it_refuses_to_file_for_another_department(people):
    body = document_body(department="JH-AGRI")
    response = client_for(people.clerk).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 403
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("title", "长" * 201),
    ("necessity", "长" * 5001),
    ("title", ""),
    ("title", "标题\x00"),
    ("kind", "survey"),
    ("planned_date", "2027-02-30"),
    ("planned_date", "0001-01-01"),
    ("length_chars", 1_000_001),
    ("length_chars", 10**40),
    ("length_chars", -1),
    ("length_chars", "many"),
    ("forms_required", 1001),
    ("target_levels", ["galaxy"]),
    ("target_levels", "township"),
    ("lead_department", "NOPE"),
    ("lead_department", "JH\x00EDU"),
    ("lead_department", {"code": "JH-EDU"}),
    ("doc_type", "poem"),
    ("is_joint", "perhaps"),
])
def test_it_refuses_invalid_document_fields_with_400(people, field, value):
    response = client_for(people.clerk).post("/api/v1/proposals/", document_body(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("meeting_class", 0), ("meeting_class", 5), ("attendees_city", 100_001),
    ("attendees_village", -3), ("start", "tomorrow"), ("end", "2027-09-14T08:00:00+08:00"),
    ("start", "0001-01-01T00:00:00+08:00"), ("end", "9999-12-31T23:59:59-12:00"),
    ("venue", "地" * 201), ("meeting_format", "telepathy"),
])
def test_it_refuses_invalid_meeting_fields_with_400(people, field, value):
    response = client_for(people.clerk).post("/api/v1/proposals/", meeting_body(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_it_refuses_a_body_that_is_not_an_object(people):
    for body in [[], "text", 7, None]:
        response = client_for(people.clerk).post("/api/v1/proposals/", body, format="json")
        assert response.status_code == 400, body


def test_it_explains_limits_in_english_on_request(people):
    client = client_for(people.clerk, language="en")
    response = client.post("/api/v1/proposals/", document_body(title="x" * 201), format="json")
    assert response.json()["errors"]["title"] == ["Ensure this field has no more than 200 characters."]
    zh = client_for(people.clerk).post("/api/v1/proposals/", document_body(title="x" * 201), format="json")
    assert zh.json()["errors"]["title"] != response.json()["errors"]["title"]


def test_it_lists_only_visible_proposals_with_filters(people):
    mine = people.document()
    meeting = people.meeting()
    people.submitted(mine)
    theirs = people.submitted_by(people.outsider, people.document(by=people.outsider))
    next_year = people.document(planned_date=people.document().planned_date.replace(year=2028))

    def ids(user, **params):
        response = client_for(user).get("/api/v1/proposals/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert theirs.pk not in ids(people.clerk)
    assert theirs.pk in ids(people.auditor)
    assert ids(people.clerk, state="head_review") == {mine.pk}
    assert ids(people.clerk, kind="meeting") == {meeting.pk}
    assert ids(people.reviewer, department="JH-AGRI") == {theirs.pk}
    assert next_year.pk in ids(people.clerk, year=2028)
    assert ids(people.clerk, year=2028) == {next_year.pk}
    assert meeting.pk in ids(people.clerk, year=2027)


def test_it_counts_a_meeting_in_the_year_of_its_shanghai_start(people):
    """23:30 UTC on 31 December is already 1 January in Asia/Shanghai."""
    body = meeting_body(start="2027-12-31T23:30:00Z", end="2028-01-01T01:30:00Z")
    created = client_for(people.clerk).post("/api/v1/proposals/?expand=detail", body, format="json").json()
    client = client_for(people.clerk)
    assert [r["id"] for r in client.get("/api/v1/proposals/", {"year": 2028}).json()["results"]] == [created["id"]]
    assert created["quota_year"] == 2028


def test_it_shows_the_history_and_escalation_reasons(people):
    p = people.document(forms_required=3)
    people.submitted(p)
    services.proposal_decide(proposal=p, by=people.head, decision="approve", comment="同意")
    body = client_for(people.auditor).get(f"/api/v1/proposals/{p.pk}/").json()
    assert body["state"] == "office_review"
    assert [(e["actor"], e["step"], e["action"], e["from_state"], e["to_state"]) for e in body["history"]] == [
        ("clerk", "clerk", "create", "draft", "draft"),
        ("clerk", "clerk", "submit", "draft", "head_review"),
        ("head", "head", "approve", "head_review", "office_review"),
    ]
    assert body["history"][2]["comment"] == "同意" and body["history"][2]["at"]
    assert len(body["escalation_reasons"]) == 1


def test_it_hides_other_departments_proposals_behind_404(people):
    p = people.document(by=people.outsider)
    for path in [f"/api/v1/proposals/{p.pk}/", "/api/v1/proposals/999999/",
                 "/api/v1/proposals/99999999999999999999999999/"]:
        response = client_for(people.clerk).get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_it_edits_a_draft(people):
    p = people.document()
    response = client_for(people.clerk2).patch(f"/api/v1/proposals/{p.pk}/", {"length_chars": 1200}, format="json")
    assert response.status_code == 200, response.json()
    assert reload(p).length_chars == 1200 and reload(p).title == p.title


def test_it_edits_a_returned_proposal(people):
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    response = client_for(people.clerk).patch(f"/api/v1/proposals/{p.pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "returned"


def test_it_refuses_edits_once_submitted(people):
    p = people.submitted(people.document())
    response = client_for(people.clerk).patch(f"/api/v1/proposals/{p.pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_it_refuses_edits_by_the_head(people):
    p = people.document()
    response = client_for(people.head).patch(f"/api/v1/proposals/{p.pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 403


def test_it_refuses_to_change_the_kind_or_invert_the_times(people):
    p = people.meeting()
    client = client_for(people.clerk)
    assert client.patch(f"/api/v1/proposals/{p.pk}/", {"kind": "document"}, format="json").status_code == 400
    response = client.patch(f"/api/v1/proposals/{p.pk}/", {"end": "2027-09-14T08:00:00+08:00"}, format="json")
    assert response.status_code == 400
    assert "end" in response.json()["errors"]
    assert reload(p).state == State.DRAFT


def test_it_refuses_put(people):
    p = people.document()
    response = client_for(people.clerk).put(f"/api/v1/proposals/{p.pk}/", document_body(), format="json")
    assert response.status_code == 405
