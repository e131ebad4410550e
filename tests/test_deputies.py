"""代理 (issue 14, item 4): a head, reviewer or leader names a deputy of the same role
for a date range; meanwhile the deputy's to-do holds the principal's items, the
deputy's decisions are recorded as "X（代 Y）", and separation of duties holds for
the deputy as for anyone."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import policy, services, todo
from approvals.deputies import Deputy, deputy_appoint, deputy_end
from approvals.errors import NotAllowed, SubmissionRefused
from approvals.models import Proposal
from tests.api import client_for
from tests.factory import make_department, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def _name(principal, deputy, role, *, start=None, days=7):
    start = start or timezone.localdate()
    return deputy_appoint(principal=principal, deputy=deputy, role=role, start=start,
                          end=start + dt.timedelta(days=days - 1))


@pytest.fixture
def reviewer2(people):
    """A second reviewer, in the department the proposals come from (江海市教育局)."""
    return make_user("reviewer2", role="reviewer", department=people.dept)


@pytest.fixture
def head2(people):
    return make_user("head2", role="head", department=people.other)


def test_the_deputy_takes_the_principals_items_and_is_recorded_as_standing_in(people, head2):
    p = people.submitted(people.document())
    assert p not in todo.waiting(head2)
    _name(people.head, head2, "head")
    assert list(todo.waiting(head2)) == [p]
    assert policy.on_behalf_of(head2, p, "head") == people.head
    services.proposal_decide(proposal=p, by=head2, decision="approve")
    event = p.events.get(action="approve")
    assert (event.actor, event.on_behalf_of) == (head2, people.head)
    assert event.actor_display == "head2（代 head）"
    body = client_for(people.reviewer).get(f"/api/v1/proposals/{p.pk}/").json()
    assert body["history"][-1]["on_behalf_of"] == "head"


def test_the_principal_still_acts_in_their_own_right(people, head2):
    p = people.submitted(people.document())
    _name(people.head, head2, "head")
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert p.events.get(action="approve").on_behalf_of is None


def test_outside_the_date_range_the_deputy_has_nothing(people, head2):
    p = people.submitted(people.document())
    row = _name(people.head, head2, "head", start=timezone.localdate() + dt.timedelta(days=1))
    assert not todo.waiting(head2).exists()
    with pytest.raises(NotAllowed):
        services.proposal_decide(proposal=p, by=head2, decision="approve")
    Deputy.objects.filter(pk=row.pk).update(start=timezone.localdate() - dt.timedelta(days=9),
                                            end=timezone.localdate() - dt.timedelta(days=1))
    assert not todo.waiting(head2).exists()


def test_a_reviewers_deputy_never_decides_their_own_departments_item(people, reviewer2):
    """reviewer2 sits in 教育局: standing in for the office, they still may not
    decide 教育局's items — nor may the principal's own department's."""
    mine = people.at_office(people.document())
    _name(people.reviewer, reviewer2, "reviewer")
    assert mine not in todo.waiting(reviewer2)
    assert policy.refusal(reviewer2, mine, "office") == policy.MSG_OWN_DEPARTMENT
    with pytest.raises(NotAllowed, match="本部门"):
        services.proposal_decide(proposal=mine, by=reviewer2, decision="approve")


def test_a_deputy_never_decides_an_item_they_drafted(people):
    """A clerk who is also a head of another department deputises for 教育局's head:
    their own draft stays out of their hands."""
    both = make_user("both", role="clerk", department=people.dept)
    from tests.factory import role_group

    other_dept = make_department()
    both.groups.add(role_group("head"))
    type(both).objects.filter(pk=both.pk).update(department=other_dept)
    both = type(both).objects.get(pk=both.pk)
    p = people.submitted(people.document())
    Proposal.objects.filter(pk=p.pk).update(created_by=both)
    _name(people.head, both, "head")
    assert p not in todo.waiting(both)
    assert policy.refusal(both, Proposal.objects.get(pk=p.pk), "head") == policy.MSG_OWN_DRAFT


def test_a_deputy_who_may_decide_anyway_is_recorded_in_their_own_right(people):
    """The office and the leaders decide as a pool: another leader may approve an
    escalated item without standing in for anyone, so no "（代 …）" is recorded."""
    leader2 = make_user("leader2", role="leader", department=people.lead)
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="escalate", comment="涉及面广")
    _name(people.leader, leader2, "leader")
    services.proposal_decide(proposal=p, by=leader2, decision="approve")
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "approved"
    assert p.events.get(action="approve", step="leader").on_behalf_of is None


def test_naming_a_deputy_checks_role_person_and_dates(people, head2):
    with pytest.raises(NotAllowed):
        _name(people.clerk, people.clerk2, "head")
    with pytest.raises(SubmissionRefused, match="代理人须同样担任"):
        _name(people.head, people.clerk, "head")
    with pytest.raises(SubmissionRefused, match="不能指定本人"):
        _name(people.head, people.head, "head")
    with pytest.raises(SubmissionRefused, match="最长"):
        _name(people.head, head2, "head", days=120)
    with pytest.raises(SubmissionRefused, match="结束日期"):
        _name(people.head, head2, "head", start=timezone.localdate() - dt.timedelta(days=30), days=3)


def test_ending_a_current_deputyship_keeps_what_was_decided(people, head2):
    row = _name(people.head, head2, "head", start=timezone.localdate() - dt.timedelta(days=2))
    with pytest.raises(NotAllowed):
        deputy_end(deputyship=row, by=head2)
    deputy_end(deputyship=row, by=people.head)
    row.refresh_from_db()
    assert row.end == timezone.localdate() - dt.timedelta(days=1)
    future = _name(people.head, head2, "head", start=timezone.localdate() + dt.timedelta(days=3))
    deputy_end(deputyship=future, by=people.head)
    assert not Deputy.objects.filter(pk=future.pk).exists()


def test_the_deputy_page(people, head2, client):
    client.force_login(people.head)
    page = client.get("/proposals/deputies/").content.decode()
    assert 'id="deputy-form"' in page and "head2" in page and "clerk2" not in page
    today = timezone.localdate()
    response = client.post("/proposals/deputies/", {"role": "head", "deputy": head2.pk, "start": today,
                                                    "end": today + dt.timedelta(days=3)})
    assert response.status_code == 302
    row = Deputy.objects.get()
    response = client.post("/proposals/deputies/", {"role": "head", "deputy": people.clerk.pk, "start": today,
                                                    "end": today})
    assert response.status_code == 400
    client.force_login(head2)
    page = client.get("/proposals/deputies/").content.decode()
    assert 'id="standing-in"' in page and "代 head" in page
    assert client.post(f"/proposals/deputies/{row.pk}/end/").status_code == 404
    client.force_login(people.clerk)
    page = client.get("/proposals/deputies/").content.decode()
    assert 'id="deputy-form"' not in page
    assert client.post("/proposals/deputies/", {"role": "head"}).status_code == 403
    assert client.get(f"/proposals/deputies/{row.pk}/end/").status_code == 405


def test_the_deputys_to_do_and_the_audit_trail_say_for_whom(people, head2, client):
    p = people.submitted(people.document())
    _name(people.head, head2, "head")
    client.force_login(head2)
    page = client.get("/proposals/todo/").content.decode()
    assert "代 head 办理" in page
    assert client.get(f"/proposals/{p.pk}/").status_code == 200
    response = client.post(f"/proposals/{p.pk}/decide/", {"decision": "approve", "comment": "同意"})
    assert response.status_code == 302
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "（代 head）" in page
