"""年度计划 (issue 16): filed in the window, approved or returned by the office,
counts becoming next year's caps within the reduction, and 计划外 items
escalating (一事一议)."""

import datetime as dt

import pytest

from approvals import plans, services
from approvals.models import PlanState, PlanWindow, State
from quotas.models import Kind, Quota
from tests.api import client_for
from tests.factory import make_quota, reload

pytestmark = [pytest.mark.django_db, pytest.mark.people(year=2027, cap=10)]

ITEMS = [
    {"kind": "document", "month": 9, "title": "关于做好秋季学期安全工作的通知"},
    {"kind": "document", "month": 3, "title": "春季开学工作通知"},
    {"kind": "meeting", "month": 9, "title": "全市秋季开学工作部署会"},
]


@pytest.fixture
def window(people):
    return PlanWindow.objects.create(year=2027, opens_on=dt.date(2026, 11, 1), closes_on=dt.date(2026, 12, 15))


def _approved_plan(people, items=ITEMS):
    plan = plans.plan_save(by=people.clerk, year=2027, items=items)
    plans.plan_submit(plan=plan, by=people.clerk, today=dt.date(2026, 12, 1))
    return plans.plan_decide(plan=plan, by=people.reviewer, decision="approve")


def test_a_plan_is_submitted_only_inside_its_window(people, window):
    plan = plans.plan_save(by=people.clerk, year=2027, items=ITEMS)
    for day in (dt.date(2026, 10, 31), dt.date(2026, 12, 16)):
        with pytest.raises(services.InvalidTransition) as refused:
            plans.plan_submit(plan=plan, by=people.clerk, today=day)
        assert refused.value.code == "plan_window_closed"
    for day in (dt.date(2026, 11, 1), dt.date(2026, 12, 15)):  # both edges are inside
        plan = plans.plan_submit(plan=plan, by=people.clerk, today=day)
        assert plan.state == PlanState.SUBMITTED
        plans.plan_decide(plan=plan, by=people.reviewer, decision="return", comment="请合并两项通知")
        plan = reload(plan)


def test_approval_sets_next_years_caps_never_above_the_reduction(people, window):
    from quotas.services import quota_commit, quota_reserve

    last = make_quota(people.dept, year=2026, kind=Kind.MEETING, cap=1)  # last year: 1 meeting held
    quota_reserve(quota=last, source=None, by=people.clerk)
    quota_commit(quota=last, source=None, by=people.clerk)
    plan = _approved_plan(people, ITEMS + [{"kind": "meeting", "month": 10, "title": "推进会"}])
    assert plans.proposed_caps(plan) == {"document": 2, "meeting": 0, "inspection": 0}
    caps = dict(Quota.objects.filter(department=people.dept, year=2027).values_list("kind", "cap"))
    assert (caps["document"], caps["meeting"]) == (2, 0)
    assert [e.action for e in plan.events.all()] == ["create", "submit", "approve"]


def test_the_office_decides_once_and_returns_with_a_reason(people, window):
    plan = plans.plan_save(by=people.clerk, year=2027, items=ITEMS)
    plans.plan_submit(plan=plan, by=people.clerk, today=dt.date(2026, 12, 1))
    with pytest.raises(services.NotAllowed):
        plans.plan_decide(plan=plan, by=people.head, decision="approve")
    with pytest.raises(services.SubmissionRefused):
        plans.plan_decide(plan=plan, by=people.reviewer, decision="return")
    plans.plan_decide(plan=plan, by=people.reviewer, decision="approve")
    with pytest.raises(services.InvalidTransition):
        plans.plan_decide(plan=plan, by=people.reviewer, decision="approve")


def test_an_item_outside_the_plan_is_escalated_as_unplanned(people, window):
    _approved_plan(people)
    Quota.objects.filter(department=people.dept, year=2027, kind=Kind.DOCUMENT).update(cap=10)
    planned = people.submitted(people.document())  # September: matches the planned notice
    assert planned.planned_item.title == "关于做好秋季学期安全工作的通知"
    assert not any(r["code"] == "unplanned" for r in planned.escalations)
    people.submitted(people.document(planned_date=dt.date(2027, 3, 10)))  # uses the March item
    extra = people.submitted(people.document(title="关于开展读书月活动的通知"))
    assert extra.planned_item is None
    assert "计划外事项（未列入已批准的 2027 年度计划），须一事一议" in extra.escalation_reasons
    services.proposal_decide(proposal=extra, by=people.head, decision="approve")
    extra = services.proposal_decide(proposal=extra, by=people.reviewer, decision="approve")
    assert extra.state == State.LEADER_REVIEW
    body = client_for(people.reviewer).get(f"/api/v1/proposals/{extra.pk}/").json()
    assert body["planned_item"] is None


def test_years_without_a_window_are_not_under_planning(people):
    p = people.submitted(people.document())
    assert p.planned_item is None and not any(r["code"] == "unplanned" for r in p.escalations)


def test_the_plans_api(people, window):
    created = client_for(people.clerk).post("/api/v1/plans/", {"year": 2027, "items": ITEMS}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["department"], body["year"], body["state"], len(body["items"])) == ("JH-EDU", 2027, "draft", 3)
    plan_id = body["id"]
    assert client_for(people.head).post("/api/v1/plans/", {"year": 2027, "items": ITEMS},
                                        format="json").status_code == 403
    submitted = client_for(people.clerk).post(f"/api/v1/plans/{plan_id}/submit/")
    # Today (2026-12-01 or later) may fall outside the window: both answers are the contract's.
    assert submitted.status_code in (200, 409)
    if submitted.status_code == 409:
        assert submitted.json()["code"] == "plan_window_closed"
        window.closes_on = dt.date(2099, 12, 31)
        window.opens_on = dt.date(2000, 1, 1)
        window.save()
        assert client_for(people.clerk).post(f"/api/v1/plans/{plan_id}/submit/").status_code == 200
    decided = client_for(people.reviewer).post(f"/api/v1/plans/{plan_id}/decide/",
                                               {"decision": "approve", "comment": ""}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    again = client_for(people.reviewer).post(f"/api/v1/plans/{plan_id}/decide/", {"decision": "return",
                                                                                 "comment": "x"}, format="json")
    assert again.status_code == 409
    listed = client_for(people.outsider).get("/api/v1/plans/").json()
    assert listed["count"] == 0
