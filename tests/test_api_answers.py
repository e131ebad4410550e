"""What a create or an action answers (issue 18): {id, state, hold, quota} by
default, the full detail on ?expand=detail; and filing and submitting in one
request (POST /api/v1/proposals/?submit=1), answering as a submission would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import Proposal, ProposalEvent, State
from quotas.models import LedgerAction, LedgerEntry
from tests.api import client_for, document_body, meeting_body
from tests.factory import reload

pytestmark = pytest.mark.django_db

SLIM = {"id", "state", "hold", "quota"}
QUOTA_FIELDS = {"department", "year", "kind", "cap", "reserved", "committed", "overridden", "flagged",
                "remaining", "state"}


def act(user, proposal, action, body=None, query=""):
    return client_for(user).post(f"/api/v1/proposals/{proposal.pk}/{action}/{query}", body or {}, format="json")


def test_each_action_answers_where_the_proposal_stands_and_its_quota_after_it(people):
    created = client_for(people.clerk).post("/api/v1/proposals/", document_body(), format="json")
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "state": "draft", "hold": "none", "quota": None}
    p = Proposal.objects.get(pk=created.json()["id"])

    submitted = act(people.clerk, p, "submit")
    assert submitted.status_code == 200 and set(submitted.json()) == SLIM
    assert (submitted.json()["state"], submitted.json()["hold"]) == ("head_review", "reserved")
    quota = submitted.json()["quota"]
    assert set(quota) == QUOTA_FIELDS
    assert (quota["department"], quota["year"], quota["kind"]) == ("JH-EDU", 2027, "document")
    assert (quota["cap"], quota["reserved"], quota["remaining"]) == (5, 1, 4)

    act(people.head, p, "decide", {"decision": "approve"})
    approved = act(people.reviewer, p, "decide", {"decision": "approve"})
    assert (approved.json()["state"], approved.json()["hold"]) == ("approved", "committed")
    assert (approved.json()["quota"]["reserved"], approved.json()["quota"]["committed"]) == (0, 1)

    cancelled = act(people.clerk, p, "cancel", {"comment": "活动取消"})
    assert (cancelled.json()["state"], cancelled.json()["hold"]) == ("cancelled", "none")
    assert cancelled.json()["quota"]["committed"] == 0
    # The counters the answers gave are the database's.
    assert (reload(people.quota).reserved, reload(people.quota).committed) == (0, 0)


def test_a_withdrawal_answers_with_the_slot_given_back(people):
    p = people.submitted(people.document())
    withdrawn = act(people.clerk, p, "withdraw")
    assert (withdrawn.json()["state"], withdrawn.json()["hold"], withdrawn.json()["quota"]["reserved"]) == (
        "withdrawn", "none", 0)


def test_expand_detail_answers_with_the_full_detail_and_its_history(people):
    p = people.document()
    response = act(people.clerk, p, "submit", query="?expand=detail")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == p.title and body["state"] == "head_review"
    # A superset of the plain answer, so it is what the schema declares for both.
    assert SLIM <= set(body) and body["quota"]["reserved"] == 1
    assert [event["action"] for event in body["history"]] == ["create", "submit"]


def test_the_plain_answer_reads_nothing_back(people):
    """The slim answer comes from the objects the service returned: no second
    read of the proposal's history, relations or attachments."""
    p = people.document()
    with CaptureQueriesContext(connection) as queries:
        assert act(people.clerk, p, "submit").status_code == 200
    read_back = [q["sql"] for q in queries.captured_queries
                 if "approvals_attachment" in q["sql"] or ('FROM "approvals_proposalevent"' in q["sql"])]
    assert read_back == []


@pytest.mark.parametrize("query", ["?expand=everything", "?expand=", "?submit=perhaps"])
def test_a_bad_answer_option_is_refused_before_anything_changes(people, query):
    p = people.document()
    action = "submit" if "expand" in query else None
    if action:
        response = act(people.clerk, p, "submit", query=query)
        assert reload(p).state == State.DRAFT
    else:
        before = Proposal.objects.count()
        response = client_for(people.clerk).post(f"/api/v1/proposals/{query}", document_body(), format="json")
        assert Proposal.objects.count() == before
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- ?submit=1 -------------------------------------------------------------------

def file_and_submit(user, body, query="?submit=1"):
    return client_for(user).post(f"/api/v1/proposals/{query}", body, format="json")


def test_it_files_and_submits_in_one_request(people):
    response = file_and_submit(people.clerk, document_body())
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["hold"], body["quota"]["reserved"]) == ("head_review", "reserved", 1)
    assert response["Location"] == f"/api/v1/proposals/{body['id']}/"
    p = Proposal.objects.get(pk=body["id"])
    assert (p.state, p.department_id, p.created_by_id) == (State.HEAD_REVIEW, people.dept.pk, people.clerk.pk)
    assert list(p.events.values_list("action", flat=True).order_by("pk")) == ["create", "submit"]
    assert LedgerEntry.objects.filter(proposal=p, action=LedgerAction.RESERVE).count() == 1
    # The engine has its process and the head's open task: the item is in the head's to-do.
    todo = client_for(people.head).get("/api/v1/tasks/").json()["results"]
    assert [task["proposal"] for task in todo] == [p.pk]


def test_submit_0_only_files(people):
    response = file_and_submit(people.clerk, document_body(), query="?submit=0")
    assert response.status_code == 201 and response.json()["state"] == "draft"


def test_at_the_cap_it_answers_409_and_keeps_the_draft(people):
    for _ in range(5):
        people.submitted(people.document())
    response = file_and_submit(people.clerk, document_body())
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "quota_exhausted" and body["quota"]["remaining"] == 0
    kept = Proposal.objects.get(pk=body["id"])
    assert body["state"] == "draft" == kept.state
    assert response["Location"] == f"/api/v1/proposals/{kept.pk}/"
    assert LedgerEntry.objects.filter(proposal=kept, action=LedgerAction.BLOCKED).count() == 1
    assert reload(people.quota).reserved == 5


def test_a_rule_refusal_keeps_the_draft_with_what_was_typed(people):
    body = meeting_body(day="2027-09-15")  # a Wednesday: meeting-free
    response = file_and_submit(people.clerk, body)
    assert response.status_code == 400 and response.json()["code"] == "meeting_free_day"
    kept = Proposal.objects.get(pk=response.json()["id"])
    assert (kept.state, kept.title, kept.venue) == (State.DRAFT, body["title"], body["venue"])


def test_an_emergency_is_filed_and_submitted_past_a_tripped_cap(people):
    for _ in range(5):
        people.submitted(people.document())
    response = file_and_submit(people.clerk, document_body(emergency=True, justification="防汛紧急部署"))
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["hold"]) == ("head_review", "none")
    assert Proposal.objects.get(pk=response.json()["id"]).emergency is True


def test_bad_draft_fields_create_nothing(people):
    before = Proposal.objects.count()
    response = file_and_submit(people.clerk, document_body(title=""))
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert Proposal.objects.count() == before
    assert file_and_submit(people.head, document_body()).status_code == 403
    assert Proposal.objects.count() == before
    assert not ProposalEvent.objects.exists()
