"""/api/v1/proposals/{id}/submit|decide|withdraw|cancel|complete/: each happy path and refusal."""

import datetime as dt

import pytest
from viewflow.workflow.exceptions import FlowLockFailed

from approvals import services
from approvals.models import Hold, Proposal, State
from quotas.models import LedgerAction, LedgerEntry
from quotas.services import ledger_drift
from tests.clock import outcomes_due
from tests.api import client_for, document_body
from tests.factory import reload

pytestmark = pytest.mark.django_db


def post(user, proposal, action, body=None, *, detail=False, **kwargs):
    """The action's answer: {id, state, hold, quota}, or the full detail with `detail`."""
    query = "?expand=detail" if detail else ""
    return client_for(user, **kwargs).post(f"/api/v1/proposals/{proposal.pk}/{action}/{query}", body or {},
                                           format="json")


# --- submit ---------------------------------------------------------------------

def test_it_submits_and_reserves_a_slot(people):
    p = people.document()
    response = post(people.clerk, p, "submit", {"emergency": False, "justification": ""})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "head_review" and response.json()["hold"] == "reserved"
    assert reload(people.quota).reserved == 1


def test_it_answers_409_with_the_quota_when_the_breaker_is_tripped(people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document()
    response = post(people.clerk, p, "submit")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "quota_exhausted" and "总量 5" in body["detail"]
    assert body["quota"] == {
        "department": "JH-EDU", "year": 2027, "kind": "document", "cap": 5, "reserved": 5,
        "committed": 0, "overridden": 0, "flagged": 0, "remaining": 0, "state": "tripped",
    }
    assert reload(p).state == State.DRAFT
    assert LedgerEntry.objects.filter(action=LedgerAction.BLOCKED, proposal=p).count() == 1


def test_it_takes_an_emergency_request_past_a_tripped_breaker(people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document()
    response = post(people.clerk, p, "submit", {"emergency": True, "justification": "防汛紧急部署"}, detail=True)
    assert response.status_code == 200
    assert response.json()["emergency"] is True and response.json()["hold"] == "none"


def test_it_wants_a_justification_for_an_emergency_request(people):
    response = post(people.clerk, people.document(), "submit", {"emergency": True})
    assert response.status_code == 400
    assert "justification" in response.json()["errors"]


def test_it_refuses_a_meeting_on_a_meeting_free_day(people):
    p = people.meeting(day=dt.date(2027, 9, 15))  # a Wednesday
    response = post(people.clerk, p, "submit")
    assert response.status_code == 400
    assert response.json()["code"] == "meeting_free_day"
    assert "start" in response.json()["errors"]


def test_it_lists_every_missing_field_on_submission(people):
    p = people.document(doc_type="", length_chars=None, target_levels=[])
    response = post(people.clerk, p, "submit")
    assert response.status_code == 400
    assert {"doc_type", "length_chars", "target_levels"} <= set(response.json()["errors"])


def test_it_refuses_a_second_submission_with_409(people):
    p = people.submitted(people.document())
    response = post(people.clerk, p, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_it_refuses_submission_by_a_head_or_an_outsider(people):
    p = people.document()
    assert post(people.head, p, "submit").status_code == 403
    assert post(people.outsider, p, "submit").status_code == 404
    # Drafts are private to their department until submitted (issue 12): not even visible.
    assert post(people.auditor, p, "submit").status_code == 404
    assert post(people.auditor, people.submitted(people.document()), "submit").status_code == 403


def test_it_refuses_bad_submit_bodies(people):
    p = people.document()
    for body in [{"emergency": "sometimes"}, {"justification": "x" * 5001}, {"justification": "\x00"}]:
        response = post(people.clerk, p, "submit", body)
        assert response.status_code == 400, body
    assert reload(p).state == State.DRAFT


def test_it_answers_busy_when_the_flow_is_locked(people, monkeypatch):
    p = people.document()

    def locked(**kwargs):
        raise FlowLockFailed("Lock failed")

    monkeypatch.setattr(services, "proposal_submit", locked)
    response = post(people.clerk, p, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "busy"


# --- decide -----------------------------------------------------------------------

def test_it_takes_the_heads_and_the_offices_decisions(people):
    p = people.submitted(people.document())
    response = post(people.head, p, "decide", {"decision": "approve", "comment": "同意"})
    assert response.status_code == 200 and response.json()["state"] == "office_review"
    response = post(people.reviewer, p, "decide", {"decision": "approve"})
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert reload(people.quota).committed == 1


def test_it_escalates_and_the_leader_decides(people):
    p = people.at_office(people.document())
    response = post(people.reviewer, p, "decide", {"decision": "escalate", "comment": "影响面大"}, detail=True)
    assert response.json()["state"] == "leader_review"
    assert response.json()["escalation_reasons"]
    response = post(people.leader, p, "decide", {"decision": "reject", "comment": "不必发文"})
    assert response.json()["state"] == "rejected"
    assert reload(people.quota).reserved == 0


def test_it_wants_a_comment_to_return(people):
    p = people.submitted(people.document())
    response = post(people.head, p, "decide", {"decision": "return"})
    assert response.status_code == 400
    assert response.json()["code"] == "comment_required"


def test_it_refuses_an_unknown_decision_with_400(people):
    p = people.submitted(people.document())
    response = post(people.head, p, "decide", {"decision": "maybe"})
    assert response.status_code == 400
    assert "decision" in response.json()["errors"]


def test_it_refuses_a_decision_the_step_does_not_have_with_409(people):
    p = people.submitted(people.document())
    response = post(people.head, p, "decide", {"decision": "reject", "comment": "不行"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_it_checks_visibility_then_state_then_the_decider(people):
    draft = people.document()
    in_review = people.submitted(people.document())
    # An outsider may not see either: 404 whatever the state.
    assert post(people.other_head, draft, "decide", {"decision": "approve"}).status_code == 404
    assert post(people.other_head, in_review, "decide", {"decision": "approve"}).status_code == 404
    # The auditor sees submitted items (drafts stay private to their department, issue 12):
    # no open review task is 409, someone else's task is 403.
    assert post(people.auditor, draft, "decide", {"decision": "approve"}).status_code == 404
    approved = people.approved(people.document())
    response = post(people.auditor, approved, "decide", {"decision": "approve"})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    response = post(people.auditor, in_review, "decide", {"decision": "approve"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert reload(in_review).state == State.HEAD_REVIEW


def test_it_keeps_separation_of_duties(people):
    p = people.at_office(people.document())
    response = post(people.clerk, p, "decide", {"decision": "approve"})
    assert response.status_code == 403
    assert "自己起草" in response.json()["detail"]


# --- withdraw, cancel, complete --------------------------------------------------------

def test_it_withdraws_and_releases_the_slot(people):
    p = people.submitted(people.document())
    response = post(people.clerk, p, "withdraw", {"comment": "不再需要"})
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert reload(people.quota).reserved == 0
    assert post(people.clerk, p, "withdraw").status_code == 409
    assert post(people.head, people.submitted(people.document()), "withdraw").status_code == 403


def test_it_cancels_an_approved_item_with_a_reason(people):
    p = people.approved(people.document())
    assert post(people.clerk, p, "cancel").json()["code"] == "comment_required"
    response = post(people.clerk, p, "cancel", {"comment": "活动取消"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert reload(people.quota).committed == 0
    assert post(people.clerk, p, "cancel", {"comment": "again"}).status_code == 409


def test_it_completes_a_document_with_its_number(people):
    p = people.approved(people.document())
    assert post(people.clerk, p, "complete", {}).status_code == 400
    with outcomes_due():
        response = post(people.clerk, p, "complete", {"doc_number": "江教发〔2027〕12号", "issued_on": "2027-09-15"},
                        detail=True)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "completed" and response.json()["doc_number"] == "江教发〔2027〕12号"


def test_it_completes_a_meeting_with_its_attendance(people):
    p = people.approved(people.meeting())
    with outcomes_due():
        response = post(people.clerk, p, "complete", {"actual_attendees": 30}, detail=True)
    assert response.status_code == 200
    assert response.json()["actual_attendees"] == 30 and response.json()["actual_cost"] == "19500.00"


def test_it_refuses_completion_out_of_state_or_range(people):
    draft = people.meeting()
    assert post(people.clerk, draft, "complete", {"actual_attendees": 3}).status_code == 409
    p = people.approved(people.meeting())
    for body in [{"actual_attendees": 100_001}, {"actual_cost": "-1"}, {"actual_cost": "NaN"},
                 {"actual_cost": 10**20}, {"issued_on": "someday"}]:
        assert post(people.clerk, p, "complete", body).status_code == 400, body
    assert reload(p).state == State.APPROVED


# --- the round trip ------------------------------------------------------------------

def test_it_round_trips_filed_by_api_decided_by_service_read_by_api(people):
    clerk = client_for(people.clerk)
    created = clerk.post("/api/v1/proposals/", document_body(), format="json").json()
    pk = created["id"]
    assert clerk.post(f"/api/v1/proposals/{pk}/submit/", {}, format="json").status_code == 200
    p = Proposal.objects.get(pk=pk)
    services.proposal_decide(proposal=p, by=people.head, decision="approve", comment="同意")
    services.proposal_decide(proposal=p, by=people.reviewer, decision="approve", comment="准予发文")
    body = clerk.get(f"/api/v1/proposals/{pk}/").json()
    assert body["state"] == "approved" and body["hold"] == Hold.COMMITTED
    assert [e["actor"] for e in body["history"]] == ["clerk", "clerk", "head", "reviewer"]
    assert body["history"][-1]["comment"] == "准予发文"
    quota = clerk.get("/api/v1/quotas/", {"year": 2027, "kind": "document"}).json()["results"][0]
    assert (quota["committed"], quota["remaining"]) == (1, 4)
    assert ledger_drift() == []


@pytest.mark.parametrize("action", ["submit", "decide", "withdraw", "cancel", "complete"])
def test_it_answers_get_on_an_action_with_405(people, action):
    p = people.document()
    response = client_for(people.clerk).get(f"/api/v1/proposals/{p.pk}/{action}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("action", ["submit", "decide", "withdraw", "cancel", "complete"])
def test_it_answers_anonymous_actions_with_401(people, action):
    p = people.document()
    response = client_for().post(f"/api/v1/proposals/{p.pk}/{action}/", {}, format="json")
    assert response.status_code == 401
    assert reload(p).state == State.DRAFT


def test_it_wants_the_csrf_token_with_a_session(people):
    from rest_framework.test import APIClient

    p = people.document()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.clerk)
    response = client.post(f"/api/v1/proposals/{p.pk}/submit/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert reload(p).state == State.DRAFT
