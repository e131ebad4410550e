"""整改 (issue 17): the office opens an item from a confirmed flag or a low
published rating; the department answers what will change and by when; the
office closes it. Nothing in it names a reporter or a rater."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.errors import InvalidTransition, NotAllowed, SubmissionRefused
from grassroots import rectifications
from grassroots.models import RectificationState
from tests.factory import People
from tests.grassroots import Grassroots, Raters

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=5)


def test_from_a_confirmed_flag_to_closure(people, client):
    g = Grassroots(people)
    flag = g.confirmed()
    item = rectifications.rectification_open(by=people.reviewer, flag=flag, problem="工作群发通知绕开审核。")
    assert (item.department, item.state) == (people.dept, RectificationState.OPEN)
    with pytest.raises(NotAllowed):
        rectifications.rectification_plan(by=people.outsider, item=item, measures="x",
                                          due_on=timezone.localdate())
    with pytest.raises(SubmissionRefused):
        rectifications.rectification_plan(by=people.head, item=item, measures="停用工作群发文",
                                          due_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(InvalidTransition):
        rectifications.rectification_close(by=people.reviewer, item=item, note="未答复不能销号")
    due = timezone.localdate() + dt.timedelta(days=30)
    item = rectifications.rectification_plan(by=people.head, item=item, measures="工作群只转发已备案文件。", due_on=due)
    assert (item.state, item.due_on) == (RectificationState.PLANNED, due)
    with pytest.raises(NotAllowed):
        rectifications.rectification_close(by=people.head, item=item, note="自己销号")
    item = rectifications.rectification_close(by=people.reviewer, item=item, note="已核实。")
    assert item.state == RectificationState.CLOSED and item.closed_at
    # The department's page: the flag's summary, never who filed it.
    client.force_login(people.head)
    page = client.get(f"/grassroots/rectifications/{item.pk}/").content.decode()
    assert "工作群只转发已备案文件" in page and "已销号" in page
    assert g.township.name not in page and g.reporter.username not in page
    assert client.get("/grassroots/rectifications/").content.decode().count(f'data-item="{item.pk}"') == 1
    client.force_login(people.outsider)
    assert client.get(f"/grassroots/rectifications/{item.pk}/").status_code == 404


def test_an_open_flag_or_another_role_cannot_open_one(people):
    g = Grassroots(people)
    with pytest.raises(SubmissionRefused):
        rectifications.rectification_open(by=people.reviewer, flag=g.flag(), problem="x")
    with pytest.raises(NotAllowed):
        rectifications.rectification_open(by=people.head, flag=g.confirmed(), problem="x")


def test_from_a_low_rating_only_when_published(people, settings):
    people.approved(people.document())
    raters = Raters(people)
    raters.open()
    for reporter in raters.reporters[:2]:
        raters.rate(reporter, necessity=1, effect=1, burden=1, formalism=1)
    with pytest.raises(SubmissionRefused):  # window open: nothing published
        rectifications.rectification_open(by=people.reviewer, department=people.dept,
                                          rating_year=people.year, problem="评价低")
    raters.rate(raters.reporters[2], necessity=2, effect=2, burden=2, formalism=2)
    raters.close()
    item = rectifications.rectification_open(by=people.reviewer, department=people.dept,
                                              rating_year=people.year, problem="基层评价必要性低。")
    assert item.rating_year == people.year and item.flag is None
    settings.JIANFU = {**settings.JIANFU, "EVALUATION_LOW_MEAN": 1.2}
    with pytest.raises(SubmissionRefused):  # 1.33 is not below 1.2
        rectifications.rectification_open(by=people.reviewer, department=people.dept,
                                          rating_year=people.year, problem="x")


def test_the_office_lists_items_and_opens_them_from_the_page(people, client):
    g = Grassroots(people)
    flag = g.confirmed()
    client.force_login(people.reviewer)
    response = client.post("/grassroots/rectifications/", {"flag": flag.pk, "problem": "绕开审核发通知。"})
    assert response.status_code == 302
    page = client.get("/grassroots/rectifications/").content.decode()
    assert people.dept.name in page and "待部门提出整改措施" in page
    client.force_login(people.head)
    assert client.post("/grassroots/rectifications/", {"flag": flag.pk, "problem": "x"}).status_code == 403
