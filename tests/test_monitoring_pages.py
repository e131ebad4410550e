"""监测点 pages (issue 17): the reporter's month, confirmed with additions and the
survey; the office's points, questions and burden chart on the dashboard."""

import datetime as dt

import pytest

from grassroots import monitoring
from grassroots.models import Flag, MonthlyLog, SurveyQuestion
from tests.factory import People
from tests.grassroots import Grassroots, last_month

pytestmark = pytest.mark.django_db
YEAR, MONTH = last_month()


@pytest.fixture
def people():
    return People(year=YEAR, cap=5)


@pytest.fixture
def village(people):
    g = Grassroots(people)
    people.approved(people.document(title="村级安全排查通知", planned_date=dt.date(YEAR, MONTH, 12),
                                    target_levels=["village"]))
    monitoring.point_designate(by=people.reviewer, unit=g.village)
    return g


def management(n=0, extra=2):
    return {"add-TOTAL_FORMS": str(extra), "add-INITIAL_FORMS": "0", "add-MIN_NUM_FORMS": "0",
            "add-MAX_NUM_FORMS": "20"}


def test_the_reporter_confirms_the_month_with_an_addition(people, village, client):
    question = SurveyQuestion.objects.create(text="本月填表负担减轻了", created_by=people.reviewer)
    client.force_login(village.village_reporter)
    assert f'data-month="{YEAR}-{MONTH}"' in client.get("/grassroots/monitoring/").content.decode()
    url = f"/grassroots/monitoring/{village.village.code}/{YEAR}-{MONTH}/"
    page = client.get(url).content.decode()
    assert "村级安全排查通知" in page and "经备案：发文 1 件" in page
    data = {**management(), "add-0-issuer": people.other.pk, "add-0-channel": "phone", "add-0-kind": "meeting",
            "add-0-received_on": f"{YEAR}-{MONTH:02d}-20", "add-0-summary": "电话通知开会", "add-0-hours_demanded": "3",
            f"q{question.pk}": "4"}
    incomplete = client.post(url, {**data, "add-1-summary": "只写了摘要"})
    assert incomplete.status_code == 400 and not Flag.objects.exists()
    assert client.post(url, data).status_code == 302
    log = MonthlyLog.objects.get()
    assert [f.issuer for f in log.flags.all()] == [people.other]
    assert log.answers.get().score == 4
    page = client.get(url).content.decode()
    assert "已于" in page and 'id="month-form"' not in page


def test_others_cannot_read_or_confirm_the_month(people, village, client):
    url = f"/grassroots/monitoring/{village.village.code}/{YEAR}-{MONTH}/"
    for user in (village.reporter, people.head):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(people.reviewer)
    assert client.get(url).status_code == 200
    assert client.post(url, management()).status_code == 403


def test_the_office_sets_points_and_sees_the_chart_on_the_dashboard(people, village, client):
    client.force_login(people.reviewer)
    assert client.post("/grassroots/monitoring/", {"unit": village.township.pk}).status_code == 302
    assert client.post("/grassroots/monitoring/", {"text": "开会次数减少了"}).status_code == 302
    page = client.get(f"/?year={YEAR}").content.decode()
    assert 'id="burden-chart"' in page and f'data-unit="{village.village.code}"' in page
    assert f'data-unit="{village.township.code}"' in page and "<svg" in page
    client.force_login(people.head)
    page = client.get(f"/?year={YEAR}").content.decode()
    assert 'id="burden-chart"' not in page and village.village.name not in page
    assert client.get("/grassroots/monitoring/").status_code == 403
