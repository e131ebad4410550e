"""The role matrix over HTTP: each role × each action × own / other department."""

import pytest
from django.test import Client

from approvals import services
from approvals.models import ProposalEvent, State
from quotas.models import LedgerEntry
from tests.clock import outcomes_due
from tests.factory import reload

pytestmark = pytest.mark.django_db


def post_as(user, url, data=None):
    client = Client()
    client.force_login(user)
    return client.post(url, data or {})


def in_state(people, state):
    p = people.document()
    if state == State.DRAFT:
        return p
    people.submitted(p)
    if state == State.HEAD_REVIEW:
        return p
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    if state == State.OFFICE_REVIEW:
        return p
    if state == State.LEADER_REVIEW:
        services.proposal_decide(proposal=p, by=people.reviewer, decision="escalate", comment="提级")
        return p
    services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    return p


# (state, action, data, who may, expected status for the others by role)
MATRIX = [
    (State.DRAFT, "submit", {}, "clerk"),
    (State.HEAD_REVIEW, "decide", {"decision": "approve"}, "head"),
    (State.OFFICE_REVIEW, "decide", {"decision": "approve"}, "reviewer"),
    (State.LEADER_REVIEW, "decide", {"decision": "approve"}, "leader"),
    (State.HEAD_REVIEW, "withdraw", {}, "clerk"),
    (State.APPROVED, "cancel", {"comment": "不再举办"}, "clerk"),
    (State.APPROVED, "complete", {"doc_number": "江教发〔2027〕1号", "issued_on": "2027-09-15"}, "clerk"),
]
ROLES = ["clerk", "clerk2", "head", "reviewer", "leader", "auditor", "outsider", "other_head"]
SAME_DEPARTMENT = {"clerk", "clerk2", "head"}
SEES_ALL = {"reviewer", "leader", "auditor"}


def sees(role, state) -> bool:
    """Other departments see nothing; the office, leaders and auditors see every
    item once submitted (drafts are private to their department, issue 12)."""
    return role in SAME_DEPARTMENT or (role in SEES_ALL and state != State.DRAFT)


@pytest.mark.parametrize("state, action, data, allowed", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix(people, state, action, data, allowed, role):
    p = in_state(people, state)
    events = ProposalEvent.objects.count()
    entries = LedgerEntry.objects.count()
    with outcomes_due():  # an approved item's outcome is due
        response = post_as(getattr(people, role), f"/proposals/{p.pk}/{action}/", data)
    may = role == allowed or (allowed == "clerk" and role == "clerk2")
    if may:
        assert response.status_code == 302, response.content.decode()[:500]
        assert reload(p).state != state
        return
    if not sees(role, state):
        assert response.status_code == 404  # those who may not see it learn nothing
    else:
        assert response.status_code == 403
    assert reload(p).state == state
    assert ProposalEvent.objects.count() == events and LedgerEntry.objects.count() == entries


def test_guessing_ids_of_another_departments_proposals_gives_404(people):
    ids = [people.document().pk, people.submitted(people.document()).pk]
    client = Client()
    client.force_login(people.outsider)
    for pk in ids + [max(ids) + 1000]:
        assert client.get(f"/proposals/{pk}/").status_code == 404
        assert client.get(f"/proposals/{pk}/edit/").status_code == 404
    listing = client.get("/proposals/").content.decode()
    assert "关于做好秋季学期安全工作的通知" not in listing


def test_csrf_is_enforced_on_every_form(people):
    p = people.document()
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.clerk)
    for url in [f"/proposals/{p.pk}/submit/", f"/proposals/{p.pk}/withdraw/", "/proposals/new/document/",
                f"/proposals/{p.pk}/edit/", f"/proposals/{p.pk}/decide/", "/accounts/logout/"]:
        assert client.post(url, {"title": "x", "necessity": "y"}).status_code == 403, url
    assert reload(p).state == State.DRAFT


def test_the_audit_trail_and_proposals_are_read_only_in_the_admin(people):
    from django.contrib.auth.models import Group

    p = people.submitted(people.document())
    admin = people.reviewer
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    event = p.events.first()
    assert client.get(f"/admin/approvals/proposal/{p.pk}/change/").status_code == 200
    response = client.post(f"/admin/approvals/proposal/{p.pk}/change/", {"title": "改掉", "_fsm_transition_to": "approve"})
    assert response.status_code == 403
    assert client.post(f"/admin/approvals/proposalevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/approvals/proposalevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert reload(p).state == State.HEAD_REVIEW and ProposalEvent.objects.filter(pk=event.pk).exists()
    assert Group.objects.exists()


def test_script_in_titles_and_comments_is_escaped(people):
    p = people.at_office(people.document(title="<script>alert('t')</script>"))
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="<b onmouseover=alert(1)>看</b>")
    client = Client()
    client.force_login(people.clerk)
    for url in [f"/proposals/{p.pk}/", "/proposals/"]:
        page = client.get(url).content.decode()
        assert "<script>alert('t')" not in page and "<b onmouseover" not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("state, action, data, allowed", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix_through_the_api(people, state, action, data, allowed, role):
    from rest_framework.test import APIClient

    p = in_state(people, state)
    events, entries = ProposalEvent.objects.count(), LedgerEntry.objects.count()
    api = APIClient()
    api.force_authenticate(getattr(people, role))
    with outcomes_due():
        response = api.post(f"/api/v1/proposals/{p.pk}/{action}/", data, format="json")
    may = role == allowed or (allowed == "clerk" and role == "clerk2")
    if may:
        assert response.status_code == 200, response.json()
        assert response.json()["state"] != state
        return
    expected = 404 if not sees(role, state) else 403
    assert response.status_code == expected, response.json()
    assert set(response.json()) >= {"code", "detail"}
    assert reload(p).state == state
    assert ProposalEvent.objects.count() == events and LedgerEntry.objects.count() == entries
