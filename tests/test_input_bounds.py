"""Dates and spans that used to take pages down or hold a worker.

Regressions for the outside test: a web-form meeting at 0001-01-01T00:00 was
stored (the API bounded years, the form did not) and from then on every list
that showed it answered 500; a draft meeting from 1900 to 2999 made its submit
and its page run one query per day for meeting-free rules.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.db import connection

from approvals import rules, services
from approvals.models import SHANGHAI, Proposal
from tests.api import client_for, meeting_body  # noqa: F401 (autouse language fixture)
from tests.factory import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People()


MEETING_FORM = {
    "title": "远古的会议", "necessity": "测试。", "meeting_format": "video", "meeting_class": "3",
    "attendees_city": "5",
}


def test_the_web_form_refuses_a_meeting_in_year_one_and_lists_keep_working(people, client):
    client.force_login(people.clerk)
    response = client.post("/proposals/new/meeting/", {
        **MEETING_FORM, "start": "0001-01-01T00:00", "end": "0001-01-01T02:00"})
    assert response.status_code == 400
    assert "年份须在 1900 至 2999 之间" in response.content.decode()
    assert not Proposal.objects.exists()
    assert client.get("/proposals/").status_code == 200


def test_the_web_form_refuses_a_document_date_out_of_range(people, client):
    client.force_login(people.clerk)
    response = client.post("/proposals/new/document/", {
        "title": "通知", "necessity": "测试。", "planned_date": "3000-01-01"})
    assert response.status_code == 400 and "年份须在 1900 至 2999 之间" in response.content.decode()


def test_the_service_refuses_a_year_out_of_range_whatever_calls_it(people):
    ancient = datetime.datetime(1, 1, 1, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError) as refused:
        people.meeting(start=ancient, end=ancient + datetime.timedelta(hours=2))
    assert "start" in refused.value.message_dict


def test_a_local_time_whose_utc_falls_before_1900_is_refused(people):
    # 1900-01-01 00:00 in Shanghai's local mean time (+08:06) is 1899 in UTC.
    start = datetime.datetime(1900, 1, 1, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError):
        people.meeting(start=start, end=start + datetime.timedelta(hours=1))


@pytest.mark.parametrize("field, value", [
    ("planned_date", datetime.date(1, 1, 1)),
    ("issued_on", datetime.date(3000, 1, 1)),
    ("start", datetime.datetime(1800, 6, 1, tzinfo=datetime.timezone.utc)),
])
def test_the_database_refuses_years_out_of_range_written_around_the_services(people, field, value):
    draft = people.document()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=draft.pk).update(**{field: value})


def test_a_meeting_spanning_centuries_is_refused_at_input(people, client):
    client.force_login(people.clerk)
    response = client.post("/proposals/new/meeting/", {
        **MEETING_FORM, "start": "1900-06-01T09:00", "end": "2999-06-01T09:00"})
    assert response.status_code == 400 and "相隔超过 31 天" in response.content.decode()
    api = client_for(people.clerk).post("/api/v1/proposals/", meeting_body(
        start="1900-06-01T09:00:00+08:00", end="2999-06-01T09:00:00+08:00"), format="json")
    assert api.status_code == 400 and "end" in api.json()["errors"]
    assert not Proposal.objects.exists()


def test_meeting_free_checks_cost_the_same_for_one_day_and_a_month(people):
    """O(rules), not O(days): one query for the rules whatever the span."""
    counts = []
    for days in (0, 30):
        start = datetime.datetime(2027, 9, 14, 9, tzinfo=SHANGHAI)
        meeting = Proposal(kind="meeting", start=start, end=start + datetime.timedelta(days=days, hours=2),
                           attendees_city=5)
        with CaptureQueriesContext(connection) as queries:
            problems = rules.rule_problems(meeting)
        counts.append(len(queries))
        hit = sorted({p.message for p in problems if p.code == "meeting_free_day"})
        if days:
            # The month covers a Wednesday and the first week of October: both rules, once each.
            assert len(hit) == 2, hit
    assert counts[0] == counts[1] <= 2


def test_the_first_day_a_rule_covers_is_found_without_walking_the_days(people):
    from quotas.models import MeetingFreeRule

    week1 = MeetingFreeRule(rule_type="week_of_month", week_of_month=5, name="第五周")
    # February 2027 has no fifth week; the next one starts on 29 March.
    assert week1.first_day_covered(datetime.date(2027, 2, 1), datetime.date(2027, 4, 30)) == datetime.date(2027, 3, 29)
    assert week1.first_day_covered(datetime.date(2027, 2, 1), datetime.date(2027, 3, 28)) is None
    wednesday = MeetingFreeRule(rule_type="weekday", weekday=3, name="周三")
    assert wednesday.first_day_covered(datetime.date(2027, 9, 13), datetime.date(2027, 9, 14)) is None
    assert wednesday.first_day_covered(datetime.date(2027, 9, 13), datetime.date(2027, 9, 20)) == datetime.date(2027, 9, 15)
    span = MeetingFreeRule(rule_type="date_range", start_date=datetime.date(2027, 10, 1),
                           end_date=datetime.date(2027, 10, 7), name="国庆")
    assert span.first_day_covered(datetime.date(2027, 9, 30), datetime.date(2027, 10, 2)) == datetime.date(2027, 10, 1)
    assert span.first_day_covered(datetime.date(2027, 10, 8), datetime.date(2027, 10, 9)) is None


def test_a_submission_reports_the_length_limit_before_any_calendar_check(people):
    start = datetime.datetime(2027, 9, 14, 9, tzinfo=SHANGHAI)
    meeting = people.meeting(start=start, end=start + datetime.timedelta(days=20))
    with pytest.raises(services.SubmissionRefused) as refused:
        people.submitted(meeting)
    assert refused.value.problems[0].code == "meeting_too_long"
