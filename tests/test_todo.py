"""待办: every role works in one Chinese to-do centre (issue 12).

An item is in exactly the to-do of those who may act on it now and leaves it
once acted on; the database filter (policy.actionable) must agree with the
policy's own answer (policy.actions_for) item by item.
"""

import datetime as dt

import pytest

from approvals import policy, services, todo
from approvals.models import Proposal
from tests.api import client_for  # noqa: F401 (autouse language fixture)

pytestmark = pytest.mark.django_db

ROLES = ["clerk", "clerk2", "head", "reviewer", "leader", "auditor", "outsider", "other_head"]


def _everything(people):
    """One item in each state, documents dated in the past so outcomes are due."""
    past = dt.date(2026, 11, 2)
    p = {}
    p["draft"] = people.document(planned_date=past)
    p["head"] = people.submitted(people.document(planned_date=past))
    p["office"] = people.at_office(people.document(planned_date=past))
    p["leader"] = people.at_office(people.document(planned_date=past))
    services.proposal_decide(proposal=p["leader"], by=people.reviewer, decision="escalate", comment="涉及面广")
    p["returned"] = people.at_office(people.document(planned_date=past))
    services.proposal_decide(proposal=p["returned"], by=people.reviewer, decision="return", comment="请压缩篇幅")
    p["approved"] = people.approved(people.document(planned_date=past))
    p["theirs"] = people.submitted_by(people.outsider, people.document(by=people.outsider, planned_date=past))
    return p


@pytest.mark.people(year=2026, cap=20)
def test_the_to_do_is_exactly_what_the_policy_lets_each_person_do_now(people):
    _everything(people)
    for role in ROLES:
        user = getattr(people, role)
        listed = set(todo.waiting(user).values_list("pk", flat=True))
        expected = {p.pk for p in Proposal.objects.all() if policy.waits_for(user, p)}
        assert listed == expected, role


@pytest.mark.people(year=2026, cap=20)
def test_an_item_leaves_the_to_do_once_acted_on_and_reaches_the_next_step(people):
    p = people.submitted(people.document(planned_date=dt.date(2026, 11, 2)))
    assert list(todo.waiting(people.head)) == [p]
    assert not todo.waiting(people.reviewer).exists()
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert not todo.waiting(people.head).exists()
    assert list(todo.waiting(people.reviewer)) == [p]


@pytest.mark.people(year=2026, cap=20)
def test_the_api_lists_the_callers_tasks_with_step_and_due_date(people):
    items = _everything(people)
    body = client_for(people.clerk).get("/api/v1/tasks/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    steps = {row["proposal"]: row["step"] for row in body["results"]}
    assert steps == {items["returned"].pk: "revise", items["approved"].pk: "outcome"}
    row = body["results"][0]
    assert set(row) == {"proposal", "title", "kind", "department", "step", "action_needed",
                        "waiting_since", "due"}
    assert row["department"] == "JH-EDU" and row["kind"] == "document"
    head = client_for(people.head).get("/api/v1/tasks/").json()["results"]
    assert [(r["proposal"], r["step"]) for r in head] == [(items["head"].pk, "head")]
    leader = client_for(people.leader).get("/api/v1/tasks/").json()["results"]
    assert [(r["proposal"], r["step"]) for r in leader] == [(items["leader"].pk, "leader")]


@pytest.mark.people(year=2026, cap=20)
def test_the_due_date_counts_working_days_from_when_the_step_began(people):
    p = people.submitted(people.document(planned_date=dt.date(2026, 11, 2)))
    [item] = todo.items(todo.waiting(people.head))
    entered = p.events.get(action="submit").at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert item.step == "head" and item.due > entered
    assert sum(1 for n in range((item.due - entered).days) if
               (entered + dt.timedelta(days=n + 1)).isoweekday() <= 5) == 2


def test_an_approved_item_waits_for_its_outcome_only_after_its_date(people):
    future = people.approved(people.document())  # planned in 2027
    assert future not in todo.waiting(people.clerk)


@pytest.mark.people(year=2026, cap=20)
def test_after_deciding_the_next_waiting_item_opens(people, client):
    first = people.at_office(people.document(planned_date=dt.date(2026, 11, 2)))
    second = people.at_office(people.document(planned_date=dt.date(2026, 11, 3)))
    client.force_login(people.reviewer)
    response = client.post(f"/proposals/{first.pk}/decide/", {"decision": "approve"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/proposals/{second.pk}/"
    page = response.content.decode()
    assert "已批准" in page and f"下一件：#{second.pk}" in page
    response = client.post(f"/proposals/{second.pk}/decide/", {"decision": "return", "comment": "请合并"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/proposals/todo/"
    assert "已退回经办人修改" in response.content.decode()


@pytest.mark.people(year=2026, cap=20)
def test_the_to_do_page_has_tabs_and_the_navigation_a_count(people, client):
    items = _everything(people)
    client.force_login(people.clerk)
    page = client.get("/proposals/todo/").content.decode()
    assert items["returned"].title in page and "修改后重新提交" in page and "登记办理结果" in page
    assert "我的草稿" in page and f"#{items['draft'].pk}" in page
    assert '<span class="count"' in page
    mine = client.get("/proposals/todo/", {"tab": "mine"}).content.decode()
    assert f"#{items['approved'].pk}" in mine
    client.force_login(people.head)
    done = client.get("/proposals/todo/", {"tab": "done"}).content.decode()
    assert f"#{items['office'].pk}" in done and f"#{items['head'].pk}" not in done


def test_login_lands_in_the_to_do(people, client):
    people.clerk.set_password("right-pass-2026")
    people.clerk.save()
    response = client.post("/accounts/login/", {"username": "clerk", "password": "right-pass-2026"})
    assert response["Location"] == "/proposals/todo/"


def test_drafts_are_private_to_their_department_until_submitted(people, client):
    draft = people.document()
    client.force_login(people.reviewer)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 404
    assert draft.title not in client.get("/proposals/").content.decode()
    people.submitted(draft)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 200


def test_viewflows_own_screens_are_for_superusers_only(people, client):
    client.force_login(people.reviewer)
    assert client.get("/workflow/").status_code in (302, 403)
    nav = client.get("/proposals/todo/").content.decode()
    assert "/workflow/" not in nav


def test_the_return_reason_and_who_returned_it_show_at_the_top(people, client):
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅至两千字以内")
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    top = page.index('id="returned"')
    assert top < page.index('id="audit-trail"') and "请压缩篇幅至两千字以内" in page[top:top + 600]


def test_a_manual_escalation_shows_the_reviewers_reason(people, client):
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="escalate", comment="涉及全市学校，影响面大")
    client.force_login(people.leader)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "减负办审核人提级：涉及全市学校，影响面大" in page


def test_a_refused_submission_keeps_the_emergency_tick_and_text(people, client):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document()
    client.force_login(people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {"justification": "汛期"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "汛期" in page


def test_the_decision_page_shows_the_slot_and_similar_titles(people, client):
    earlier = people.submitted(people.document(title="关于做好秋季学期校园安全工作的通知"))
    p = people.at_office(people.document(title="关于做好春季学期校园安全工作的通知"))
    client.force_login(people.reviewer)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "本件占用 2027 年度发文总量第 2/5 个名额" in page
    assert f"#{earlier.pk}" in page[page.index('id="similar"'):]


def test_withdraw_and_cancel_ask_for_confirmation(people, client):
    p = people.submitted(people.document())
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert 'data-confirm="确定撤回该申请' in page and "js/app.js" in page


def test_missing_pages_have_a_way_back(people, client):
    client.force_login(people.clerk)
    response = client.get("/proposals/999999/")
    assert response.status_code == 404
    assert "回到待办" in response.content.decode()


@pytest.mark.people(year=2026, cap=20)
def test_deputies_to_do_is_exactly_what_the_policy_lets_them_do_now(people):
    """代理 (issue 14): a deputy's to-do adds the principal's items, minus what
    separation of duties keeps from the deputy; filter and policy still agree."""
    from django.utils import timezone

    from approvals.deputies import deputy_appoint
    from tests.factory import make_user, role_group

    today = timezone.localdate()
    head2 = make_user("head2", role="head", department=people.other)
    reviewer2 = make_user("reviewer2", role="reviewer", department=people.dept)
    people.clerk2.groups.add(role_group("head"))  # drafts for 教育局, signs nothing of it
    clerk2 = type(people.clerk2).objects.get(pk=people.clerk2.pk)
    for principal, deputy, role in [(people.head, head2, "head"), (people.reviewer, reviewer2, "reviewer"),
                                    (people.head, clerk2, "head"), (people.other_head, people.head, "head")]:
        deputy_appoint(principal=principal, deputy=deputy, role=role, start=today, end=today)
    items = _everything(people)
    people.submitted_by(people.clerk2, people.document(by=people.clerk2, planned_date=dt.date(2026, 11, 2)))
    for user in [head2, reviewer2, clerk2, *(getattr(people, role) for role in ROLES)]:
        listed = set(todo.waiting(user).values_list("pk", flat=True))
        expected = {p.pk for p in Proposal.objects.all() if policy.waits_for(user, p)}
        assert listed == expected, user.username
    assert items["head"].pk in set(todo.waiting(head2).values_list("pk", flat=True))
    assert items["theirs"].pk in set(todo.waiting(people.head).values_list("pk", flat=True))
    assert not todo.waiting(reviewer2).exists()
