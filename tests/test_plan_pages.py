"""年度计划 pages (issue 16): the clerk files next year's plan in its window (add,
edit, remove items; counts and the caps they imply; submit), outside it the page
is read-only and says when the window is; the review office lists the
departments' plans, submitted first, and approves or returns one (a return needs
a comment); heads, leaders and auditors read; everyone else is refused."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from approvals import plans
from approvals.models import Plan, PlanEvent, PlanState, PlanWindow
from quotas.models import Kind, Quota
from quotas.services import quota_commit, quota_reserve
from tests.factory import make_department, make_quota, make_user, reload

YEAR = 2027
pytestmark = [pytest.mark.django_db, pytest.mark.people(year=YEAR, cap=10)]

ITEMS = [
    ("document", 9, "关于做好秋季学期安全工作的通知"),
    ("document", 3, "春季开学工作通知"),
    ("meeting", 9, "全市秋季开学工作部署会"),
]


@pytest.fixture
def window(people):
    """The 2027 window is open today, whatever day the suite runs."""
    today = timezone.localdate()
    return PlanWindow.objects.create(year=YEAR, opens_on=today - dt.timedelta(days=10),
                                     closes_on=today + dt.timedelta(days=10))


@pytest.fixture
def closed_window(people):
    today = timezone.localdate()
    return PlanWindow.objects.create(year=YEAR, opens_on=today - dt.timedelta(days=40),
                                     closes_on=today - dt.timedelta(days=10))


def as_user(client, user):
    client.force_login(user)
    return client


def formset(rows, *, initial=0, extra_blank=2, deleted=()):
    """The plan form's POST: `rows` of (kind, month, title), then blank rows."""
    data = {"items-TOTAL_FORMS": str(len(rows) + extra_blank), "items-INITIAL_FORMS": str(initial),
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "500"}
    for i, (kind, month, title) in enumerate(rows):
        data.update({f"items-{i}-kind": kind, f"items-{i}-month": str(month), f"items-{i}-title": title})
        if i in deleted:
            data[f"items-{i}-DELETE"] = "on"
    for i in range(len(rows), len(rows) + extra_blank):
        data.update({f"items-{i}-kind": "", f"items-{i}-month": "", f"items-{i}-title": ""})
    return data


def saved(plan):
    return sorted((i.kind, i.month, i.title) for i in plan.items.all())


def filed(people, items=ITEMS, *, submit=True):
    plan = plans.plan_save(by=people.clerk, year=YEAR, items=[
        {"kind": k, "month": m, "title": t} for k, m, t in items])
    return plans.plan_submit(plan=plan, by=people.clerk) if submit else plan


# --- the clerk files ---------------------------------------------------------------------

def test_it_lets_the_clerk_file_edit_and_submit_the_plan_in_the_window(client, people, window):
    as_user(client, people.clerk)
    listing = client.get("/proposals/plans/")
    assert listing.status_code == 200
    assert "填报 2027 年度计划" in listing.content.decode()
    page = client.get("/proposals/plans/file/2027/")
    assert page.status_code == 200 and 'id="plan-form"' in page.content.decode()
    response = client.post("/proposals/plans/file/2027/", formset(ITEMS))
    assert response.status_code == 302
    plan = Plan.objects.get(department=people.dept, year=YEAR)
    assert response["Location"] == f"/proposals/plans/{plan.pk}/"
    assert saved(plan) == sorted(ITEMS) and plan.state == PlanState.DRAFT
    # Opening the plan again (from the list's button) lands on the saved plan.
    assert client.get("/proposals/plans/file/2027/")["Location"] == f"/proposals/plans/{plan.pk}/"

    # Edit one item, remove one, add one.
    rows = [("document", 10, "关于做好秋季学期安全工作的通知（修订）"), ITEMS[1], ITEMS[2], ("inspection", 6, "汛前安全检查")]
    response = client.post(f"/proposals/plans/{plan.pk}/", formset(rows, initial=3, deleted={1}))
    assert response.status_code == 302
    assert saved(plan) == sorted([rows[0], rows[2], rows[3]])

    page = client.get(f"/proposals/plans/{plan.pk}/").content.decode()
    for kind, planned in (("document", 1), ("meeting", 1), ("inspection", 1)):
        assert f'<tr data-kind="{kind}"><td class="label">' in page
    assert "不设（上年未设总量）" in page  # no quota last year: no ceiling
    response = client.post(f"/proposals/plans/{plan.pk}/submit/")
    assert response.status_code == 302
    plan = reload(plan)
    assert plan.state == PlanState.SUBMITTED and plan.submitted_at is not None
    assert [e.action for e in plan.events.all()] == ["create", "submit"]
    # Submitted: read-only for the clerk now.
    page = client.get(f"/proposals/plans/{plan.pk}/").content.decode()
    assert 'id="plan-form"' not in page and "全市秋季开学工作部署会" in page
    refused = client.post(f"/proposals/plans/{plan.pk}/", formset(ITEMS, initial=3))
    assert refused.status_code == 409 and "不能修改" in refused.content.decode()
    assert saved(plan) == sorted([rows[0], rows[2], rows[3]])


def test_the_page_shows_each_kinds_count_and_the_ceiling_the_reduction_allows(client, people, window):
    last = make_quota(people.dept, year=YEAR - 1, kind=Kind.MEETING, cap=3)
    for _ in range(2):  # last year: 2 meetings held → ceiling floor(2 × 0.7) = 1
        quota_reserve(quota=last, source=None, by=people.clerk)
        quota_commit(quota=last, source=None, by=people.clerk)
    plan = filed(people, ITEMS + [("meeting", 10, "推进会"), ("meeting", 11, "总结会")], submit=False)
    page = as_user(client, people.clerk).get(f"/proposals/plans/{plan.pk}/").content.decode()
    meeting_row = page.split('<tr data-kind="meeting">')[1].split("</tr>")[0]
    assert '<td data-label="计划项数" class="planned">3</td>' in meeting_row
    assert '<td data-label="上年实际">2</td>' in meeting_row
    assert 'class="ceiling">1</td>' in meeting_row
    assert "<strong>1</strong>" in meeting_row and "计划 3 项超过上限，按上限核定" in meeting_row


def test_an_invalid_row_keeps_everything_typed_and_saves_nothing(client, people, window):
    as_user(client, people.clerk)
    rows = [ITEMS[0], ("", 5, "没有选类别的事项"), ("meeting", 7, "长" * 201)]
    response = client.post("/proposals/plans/file/2027/", formset(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有选类别的事项" in page and ITEMS[0][2] in page
    assert "类别：该字段是必填项。" in page
    assert "事项：" in page and "201" in page  # the length error names the count
    assert not Plan.objects.exists()


def test_an_empty_plan_cannot_be_submitted(client, people, window):
    plan = filed(people, [], submit=False)
    response = as_user(client, people.clerk).post(f"/proposals/plans/{plan.pk}/submit/")
    assert response.status_code == 400
    assert plans.MSG_EMPTY in response.content.decode()
    assert reload(plan).state == PlanState.DRAFT


def test_outside_the_window_the_page_says_when_it_is_and_is_read_only(client, people, closed_window):
    as_user(client, people.clerk)
    page = client.get("/proposals/plans/file/2027/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="plan-form"' not in text
    opens, closes = closed_window.opens_on.isoformat(), closed_window.closes_on.isoformat()
    assert f"2027 年度计划的填报期为 {opens} 至 {closes}，现在不能提交。本页只能查看。" in text
    refused = client.post("/proposals/plans/file/2027/", formset(ITEMS))
    assert refused.status_code == 409 and not Plan.objects.exists()
    plan = filed(people, submit=False)  # e.g. drafted through the API
    assert client.post(f"/proposals/plans/{plan.pk}/submit/").status_code == 409
    assert reload(plan).state == PlanState.DRAFT


def test_without_a_window_the_page_says_none_is_set(client, people):
    page = as_user(client, people.clerk).get("/proposals/plans/file/2027/").content.decode()
    assert "尚未设置 2027 年度计划的填报期，请联系系统管理员。" in page and 'id="plan-form"' not in page


# --- who may do what -----------------------------------------------------------------------

def test_only_the_departments_clerks_file(client, people, window):
    plan = filed(people, submit=False)
    for user in (people.head, people.reviewer, people.auditor):
        as_user(client, user)
        assert client.get("/proposals/plans/file/2027/").status_code == 403
        response = client.post(f"/proposals/plans/{plan.pk}/", formset(ITEMS, initial=3, deleted={0}))
        assert response.status_code == 403, user
        assert "只有本部门经办人可以填报年度计划。" in response.content.decode()
        assert client.post(f"/proposals/plans/{plan.pk}/submit/").status_code == 403
    # Another department's clerk does not even see it.
    as_user(client, people.outsider)
    assert client.get(f"/proposals/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/proposals/plans/{plan.pk}/submit/").status_code == 404
    assert len(saved(plan)) == 3 and reload(plan).state == PlanState.DRAFT


def test_heads_leaders_and_auditors_read_but_may_not_decide(client, people, window):
    plan = filed(people)
    for user in (people.head, people.leader, people.auditor):
        page = as_user(client, user).get(f"/proposals/plans/{plan.pk}/")
        assert page.status_code == 200
        assert "全市秋季开学工作部署会" in page.content.decode()
        assert 'id="plan-decide-form"' not in page.content.decode()
        refused = client.post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "approve"})
        assert refused.status_code == 403
        assert "只有减负办审核人可以审核年度计划。" in refused.content.decode()
    assert as_user(client, people.other_head).get(f"/proposals/plans/{plan.pk}/").status_code == 404
    assert reload(plan).state == PlanState.SUBMITTED


def test_a_reviewer_of_the_plans_own_department_may_not_decide_it(client, people, window):
    plan = filed(people)
    insider = make_user("reviewer-edu", role="reviewer", department=people.dept)
    refused = as_user(client, insider).post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 403 and reload(plan).state == PlanState.SUBMITTED


def test_a_grassroots_reporter_has_no_plans_and_no_link(client, people):
    township = make_user("reporter", role="reporter", department=people.dept)
    as_user(client, township)
    assert client.get("/proposals/plans/").status_code == 403
    assert "/proposals/plans/" not in client.get("/proposals/todo/").content.decode()
    for user in (people.clerk, people.head, people.reviewer, people.leader, people.auditor):
        assert 'href="/proposals/plans/"' in as_user(client, user).get("/proposals/todo/").content.decode(), user


@pytest.mark.parametrize("action", ["submit", "decide"])
def test_actions_refuse_get_and_anonymous(client, people, window, action):
    plan = filed(people, submit=False)
    assert as_user(client, people.clerk).get(f"/proposals/plans/{plan.pk}/{action}/").status_code == 405
    client.logout()
    response = client.post(f"/proposals/plans/{plan.pk}/{action}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/proposals/plans/")["Location"].startswith("/accounts/login/")


# --- the review office ------------------------------------------------------------------------

def test_the_office_lists_every_departments_plan_submitted_first_with_counts(client, people, window):
    health = make_department("JH-HEALTH", name="江海市卫生健康委员会")
    health_clerk = make_user("health-clerk", role="clerk", department=health)
    plans.plan_save(by=health_clerk, year=YEAR, items=[{"kind": "meeting", "month": 2, "title": "卫生工作会"}])
    filed(people)
    page = as_user(client, people.reviewer).get("/proposals/plans/?year=2027")
    assert page.status_code == 200
    text = page.content.decode()
    order = [text.index(f'data-department="{code}"') for code in ("JH-EDU", "JH-HEALTH", "JH-AGRI")]
    assert order == sorted(order), "submitted, then drafts, then not filed"
    edu = text.split('data-department="JH-EDU"')[1].split("</tr>")[0]
    assert '<td data-label="发文">2</td><td data-label="会议">1</td><td data-label="督查检查考核">0</td>' in edu
    assert '<td data-label="合计">3</td>' in edu
    agri = text.split('data-department="JH-AGRI"')[1].split("</tr>")[0]
    assert "未填报" in agri
    assert "JH-OFFICE" not in text  # the office issues nothing and files no plan


def test_a_return_needs_a_comment_and_keeps_what_was_typed(client, people, window):
    plan = filed(people)
    as_user(client, people.reviewer)
    refused = client.post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "return", "comment": "  "})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "退回时请写明意见。" in text
    assert re.search(r'<input type="radio" name="decision" value="return"[^>]* checked', text)
    assert reload(plan).state == PlanState.SUBMITTED
    response = client.post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "return", "comment": "请合并两项通知"})
    assert response.status_code == 302 and response["Location"] == "/proposals/plans/?year=2027"
    plan = reload(plan)
    assert plan.state == PlanState.RETURNED
    event = plan.events.get(action="return")
    assert (event.actor, event.comment, event.from_state) == (people.reviewer, "请合并两项通知", "submitted")
    # The clerk reads why at the top and may edit again.
    page = as_user(client, people.clerk).get(f"/proposals/plans/{plan.pk}/").content.decode()
    assert 'id="returned"' in page and "请合并两项通知" in page and 'id="plan-form"' in page


def test_approval_sets_the_proposed_caps_within_the_reduction(client, people, window):
    last = make_quota(people.dept, year=YEAR - 1, kind=Kind.MEETING, cap=3)
    quota_reserve(quota=last, source=None, by=people.clerk)  # last year: 1 meeting → ceiling 0
    quota_commit(quota=last, source=None, by=people.clerk)
    plan = filed(people)
    page = as_user(client, people.reviewer).get(f"/proposals/plans/{plan.pk}/").content.decode()
    assert 'id="plan-decide-form"' in page
    response = client.post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert reload(plan).state == PlanState.APPROVED
    caps = dict(Quota.objects.filter(department=people.dept, year=YEAR).values_list("kind", "cap"))
    assert caps == {"document": 2, "meeting": 0, "inspection": 0}
    assert list(PlanEvent.objects.filter(plan=plan).values_list("action", flat=True)) == [
        "create", "submit", "approve"]
    again = client.post(f"/proposals/plans/{plan.pk}/decide/", {"decision": "approve"})
    assert again.status_code == 409 and "不能审核" in again.content.decode()


def test_a_proposal_carrying_out_a_planned_item_shows_it(client, people, window):
    plan = filed(people)
    plans.plan_decide(plan=plan, by=people.reviewer, decision="approve")
    Quota.objects.filter(department=people.dept, year=YEAR, kind=Kind.DOCUMENT).update(cap=10)
    planned = people.submitted(people.document())
    assert planned.planned_item is not None
    page = as_user(client, people.head).get(f"/proposals/{planned.pk}/").content.decode()
    row = page.split('id="planned-item"')[1].split("</tr>")[0]
    assert f'href="/proposals/plans/{plan.pk}/"' in row
    assert "9 月 · 发文 · 关于做好秋季学期安全工作的通知" in row
    people.submitted(people.document(planned_date=dt.date(YEAR, 3, 10)))  # uses the other planned document
    extra = people.submitted(people.document(title="关于开展读书月活动的通知"))
    page = as_user(client, people.head).get(f"/proposals/{extra.pk}/").content.decode()
    assert 'id="planned-item"' not in page and "计划外事项" in page
