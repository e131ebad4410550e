"""The list page finds things (issue 12): search by title and number, filters
for year, department, kind, state and date range, and overdue items flagged."""

import datetime as dt

import pytest

from approvals.models import ProposalEvent

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return {p.pk for p in response.context["proposals"]}


def test_search_by_title_and_by_number(people, client):
    safety = people.document(title="关于做好秋季学期安全工作的通知")
    sports = people.document(title="关于举办学生运动会的通知")
    client.force_login(people.clerk)
    assert _ids(client.get("/proposals/", {"q": "运动会"})) == {sports.pk}
    assert _ids(client.get("/proposals/", {"q": f"#{safety.pk}"})) == {safety.pk}


def test_filters_for_year_department_and_dates(people, client):
    september = people.submitted(people.document(planned_date=dt.date(2027, 9, 15)))
    march = people.submitted(people.document(planned_date=dt.date(2027, 3, 1)))
    theirs = people.submitted_by(people.outsider, people.document(by=people.outsider))
    next_year = people.document(planned_date=dt.date(2028, 1, 5))
    client.force_login(people.reviewer)
    assert _ids(client.get("/proposals/", {"department": "JH-AGRI"})) == {theirs.pk}
    assert _ids(client.get("/proposals/", {"date_from": "2027-09-01", "date_to": "2027-09-30",
                                           "department": "JH-EDU"})) == {september.pk}
    assert march.pk in _ids(client.get("/proposals/", {"year": 2027}))
    client.force_login(people.clerk)
    assert next_year.pk in _ids(client.get("/proposals/", {"year": 2028}))
    assert "department" not in client.get("/proposals/").context["form"].fields  # one department: no choice


def test_a_reversed_date_range_is_a_clear_400(people, client):
    client.force_login(people.clerk)
    response = client.get("/proposals/", {"date_from": "2027-09-30", "date_to": "2027-09-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()


def test_items_past_their_steps_time_limit_are_flagged(people, client):
    late = people.submitted(people.document())
    fresh = people.submitted(people.document(title="新近提交的通知"))
    event = late.events.get(action="submit")
    from django.db import connection

    # The audit trail refuses updates through the ORM; here the test moves its clock back.
    with connection.cursor() as cursor:
        table = ProposalEvent._meta.db_table
        cursor.execute(f"UPDATE {table} SET at = %s WHERE id = %s",
                       [event.at - dt.timedelta(days=21), event.pk])
    client.force_login(people.head)
    response = client.get("/proposals/")
    assert response.context["overdue"] == {late.pk}
    assert fresh.pk not in response.context["overdue"]
    assert "已超期" in response.content.decode()
