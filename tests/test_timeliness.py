"""办理时限 (issue 14, item 2): the current step's limit on the item page and in the
to-do, overdue items counted per department and late decisions per person on a
page the review office sees."""

import datetime as dt

from unittest import mock

import pytest
from django.utils import timezone

from approvals import services, timeliness
from approvals.models import ProposalEvent
from quotas.models import Holiday
from quotas.workdays import add_working_days
from tests.clock import Clock

pytestmark = pytest.mark.django_db


def _later(days=30):
    """Judge time limits `days` from now (the audit trail keeps the real clock)."""
    return mock.patch("approvals.todo.timezone", Clock(timezone.now() + dt.timedelta(days=days)))


def test_the_item_page_shows_the_steps_time_limit(people, client):
    p = people.submitted(people.document())
    client.force_login(people.head)
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    due = add_working_days(timezone.localdate(), 2)
    assert f"当前环节：审签 · 办理时限 {due.isoformat()}" in page and "已超期" not in page
    with _later():
        page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="time-limit" class="trip-box"' in page and "已超期" in page


def test_the_to_do_marks_what_is_overdue(people, client):
    people.submitted(people.document())
    client.force_login(people.head)
    with _later():
        page = client.get("/proposals/todo/").content.decode()
    assert "todo-item overdue" in page and "已超期" in page


def test_a_holiday_moves_the_limit(people):
    p = people.submitted(people.document())
    entered = timezone.localdate()
    before = timeliness.item_for(p).due
    for n in range(1, 4):
        Holiday.objects.get_or_create(date=entered + dt.timedelta(days=n), defaults={"name": "测试假日"})
    assert timeliness.item_for(p).due > before


def test_overdue_counts_per_department_and_late_decisions_per_person(people, client):
    late = people.submitted(people.document())
    people.submitted(people.document())
    people.submitted(people.document())
    in_20_days = timezone.now() + dt.timedelta(days=20)
    with mock.patch("django.utils.timezone.now", return_value=in_20_days):
        services.proposal_decide(proposal=late, by=people.head, decision="approve")  # 20 days for a 2-day step
    theirs = people.submitted_by(people.outsider, people.document(by=people.outsider))
    rows = {row["department"].code: row for row in timeliness.department_counts(
        today=timezone.localdate() + dt.timedelta(days=20))}
    assert (rows["JH-EDU"]["waiting"], rows["JH-EDU"]["overdue"]) == (3, 2)  # two at the head, one new at the office
    assert (rows["JH-AGRI"]["waiting"], rows["JH-AGRI"]["overdue"]) == (1, 1)
    deciders = {row["actor"].username: row for row in timeliness.decider_counts(timezone.localtime(in_20_days).year)}
    assert (deciders["head"]["decided"], deciders["head"]["late"]) == (1, 1)
    assert theirs.pk
    client.force_login(people.reviewer)
    page = client.get("/proposals/timeliness/").content.decode()
    assert 'data-department="JH-EDU"' in page and 'id="late-by-decider"' in page
    assert "办理时限" in client.get("/proposals/todo/").content.decode()


def test_only_the_office_leaders_and_auditors_see_the_counts(people, client):
    for user, status in [(people.reviewer, 200), (people.leader, 200), (people.auditor, 200),
                         (people.clerk, 403), (people.head, 403)]:
        client.force_login(user)
        assert client.get("/proposals/timeliness/").status_code == status, user.username
    client.logout()
    assert client.get("/proposals/timeliness/").status_code == 302
