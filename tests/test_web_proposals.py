"""The web UI over HTTP: each action's happy path, GET → 405, outsider → 404,
wrong role → 403, wrong state → 409, anonymous → login."""

import datetime as dt

import pytest

from approvals.models import Proposal, State
from quotas.models import LedgerAction, LedgerEntry
from tests.clock import outcomes_due
from tests.factory import reload

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def test_a_clerk_drafts_a_document_through_the_form(client, people):
    as_user(client, people.clerk)
    assert client.get("/proposals/new/document/").status_code == 200
    response = client.post("/proposals/new/document/", {
        "title": "关于开展校园安全检查的通知", "necessity": "秋季开学前必须统一部署。",
        "planned_date": "2027-09-20", "target_levels": ["township"], "doc_type": "notice",
        "length_chars": "2000", "forms_required": "0",
    })
    assert response.status_code == 302
    p = Proposal.objects.get(title="关于开展校园安全检查的通知")
    assert p.state == State.DRAFT and p.department == people.dept and p.created_by == people.clerk


def test_a_draft_breaking_a_rule_is_saved_with_a_warning(client, people):
    as_user(client, people.clerk)
    response = client.post("/proposals/new/meeting/", {
        "title": "周三例会", "necessity": "例行。", "target_levels": ["county"],
        "start": "2027-09-15T09:00", "end": "2027-09-15T10:00", "meeting_format": "video",
        "meeting_class": "3", "attendees_city": "10",
    }, follow=True)
    assert "无会日" in response.content.decode()
    assert Proposal.objects.filter(title="周三例会", state=State.DRAFT).exists()


def test_the_form_refuses_an_overlong_title(client, people):
    as_user(client, people.clerk)
    response = client.post("/proposals/new/document/", {"title": "长" * 201, "necessity": "x"})
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_the_whole_review_over_http(client, people):
    p = people.document()
    as_user(client, people.clerk)
    assert client.post(f"/proposals/{p.pk}/submit/", {}).status_code == 302
    assert reload(p).state == State.HEAD_REVIEW
    as_user(client, people.head)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="decide-form"' in page
    assert client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve", "comment": "同意"}).status_code == 302
    as_user(client, people.reviewer)
    assert client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert reload(p).state == State.APPROVED
    as_user(client, people.clerk)
    with outcomes_due():
        response = client.post(f"/proposals/{p.pk}/complete/", {"doc_number": "江教发〔2027〕3号", "issued_on": "2027-09-15"})
    assert response.status_code == 302 and reload(p).state == State.COMPLETED
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    for step in ["提交", "同意", "登记办结", "部门负责人", "减负办"]:
        assert step in page


def test_the_head_finds_the_task_in_the_to_do_centre_not_in_viewflows_screens(client, people):
    """Issue 12: approvers work in our 待办, not in viewflow's English Material UI."""
    p = people.submitted(people.document())
    as_user(client, people.head)
    response = client.get("/proposals/todo/")
    assert response.status_code == 200
    assert p.title in response.content.decode()
    assert client.get("/workflow/proposal/queue/").status_code == 403
    as_user(client, people.other_head)
    assert p.title not in client.get("/proposals/todo/").content.decode()


@pytest.mark.parametrize("action", ["submit", "decide", "withdraw", "cancel", "complete"])
def test_actions_refuse_get(client, people, action):
    p = people.document()
    as_user(client, people.clerk)
    assert client.get(f"/proposals/{p.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ["submit", "decide", "withdraw", "cancel", "complete"])
def test_anonymous_is_sent_to_login(client, people, action):
    p = people.document()
    response = client.post(f"/proposals/{p.pk}/{action}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_departments_proposal_is_404(client, people):
    p = people.submitted(people.document())
    as_user(client, people.outsider)
    assert client.get(f"/proposals/{p.pk}/").status_code == 404
    assert client.post(f"/proposals/{p.pk}/withdraw/").status_code == 404
    as_user(client, people.other_head)
    assert client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert reload(p).state == State.HEAD_REVIEW


def test_the_wrong_role_gets_403_with_the_reason(client, people):
    p = people.submitted(people.document())
    as_user(client, people.reviewer)
    response = client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    assert "只有本部门负责人可以审签" in response.content.decode()
    as_user(client, people.auditor)
    assert client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/proposals/{p.pk}/withdraw/").status_code == 403
    assert reload(p).state == State.HEAD_REVIEW


def test_the_wrong_state_gets_409(client, people):
    p = people.document()
    as_user(client, people.head)
    assert client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve"}).status_code == 409
    as_user(client, people.clerk)
    assert client.post(f"/proposals/{p.pk}/cancel/", {"comment": "x"}).status_code == 409
    assert client.post(f"/proposals/{p.pk}/withdraw/").status_code == 409


def test_at_the_cap_the_page_shows_the_numbers_and_only_a_blocked_entry_is_written(client, people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document(title="第六份")
    as_user(client, people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {})
    assert response.status_code == 409
    page = response.content.decode()
    assert "总量已熔断" in page and "总量 5" in page and f"?quota={people.quota.pk}" in page
    assert reload(p).state == State.DRAFT
    assert LedgerEntry.objects.filter(proposal=p).values_list("action", flat=True).get() == LedgerAction.BLOCKED
    listing = client.get(f"/proposals/?quota={people.quota.pk}").content.decode()
    assert listing.count("关于做好秋季学期安全工作的通知") == 5


def test_an_emergency_request_is_submitted_from_the_form(client, people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document(title="防汛紧急通知")
    as_user(client, people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {"emergency": "on", "justification": "汛期险情"})
    assert response.status_code == 302 and reload(p).emergency


def test_a_meeting_free_day_is_refused_with_400(client, people):
    p = people.meeting(day=dt.date(2027, 9, 15))
    as_user(client, people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {})
    assert response.status_code == 400 and "无会日" in response.content.decode()


def test_the_public_meeting_cost_page_needs_no_login(client, people):
    p = people.approved(people.meeting(title="全市防汛工作会"))
    from approvals import services

    with outcomes_due():
        services.proposal_complete(proposal=p, by=people.clerk, actual_attendees=30)
        response = client.get("/public/meeting-costs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "全市防汛工作会" in page and "19,500.00" in page


def test_titles_are_escaped(client, people):
    p = people.document(title='<script>alert(1)</script><img src="file:///etc/passwd">')
    as_user(client, people.clerk)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_the_dashboard_gauge_follows_the_ledger(client, people):
    people.approved(people.document())
    as_user(client, people.head)
    page = client.get("/?year=2027").content.decode()
    assert 'class="committed-n">1<' in page and 'class="remaining">4<' in page


def test_editing_is_refused_outside_draft_or_returned_and_for_others(client, people):
    p = people.submitted(people.document())
    as_user(client, people.clerk)
    assert client.get(f"/proposals/{p.pk}/edit/").status_code == 409
    assert client.post(f"/proposals/{p.pk}/edit/", {"title": "x", "necessity": "y"}).status_code == 409
    draft = people.document()
    as_user(client, people.head)
    assert client.get(f"/proposals/{draft.pk}/edit/").status_code == 403
    as_user(client, people.outsider)
    assert client.get(f"/proposals/{draft.pk}/edit/").status_code == 404


def test_a_clerk_edits_a_returned_proposal_and_resubmits(client, people):
    from approvals import services

    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    as_user(client, people.clerk)
    response = client.post(f"/proposals/{p.pk}/edit/", {
        "title": p.title, "necessity": p.necessity, "planned_date": "2027-09-15",
        "target_levels": ["township"], "doc_type": "notice", "length_chars": "900", "forms_required": "0",
    })
    assert response.status_code == 302 and reload(p).length_chars == 900
    assert client.post(f"/proposals/{p.pk}/submit/", {}).status_code == 302
    assert reload(p).state == State.HEAD_REVIEW and reload(people.quota).reserved == 1


def test_unknown_kinds_are_404(client, people):
    as_user(client, people.clerk)
    assert client.get("/proposals/new/survey/").status_code == 404
