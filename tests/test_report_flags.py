"""Issue 13 with issue 15: confirmed 明减暗增 flags count as used in the year-end
report (and say so when they push a department past its cap), and the report
lists the flags per department from grassroots.selectors.flag_figures."""

import pytest
from django.utils import timezone

from approvals import services
from reports import figures
from reports.summary import summary
from tests.factory import People
from tests.grassroots import Grassroots

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=2)  # flags count against the year received


def test_a_confirmed_flag_counts_as_used_and_is_named_when_it_breaks_the_cap(people):
    grassroots = Grassroots(people)
    people.approved(people.document(planned_date=timezone.localdate()))
    last = people.approved(people.document(planned_date=timezone.localdate()))  # the last slot: 提级
    services.proposal_decide(proposal=last, by=people.leader, decision="approve")
    grassroots.confirmed()
    grassroots.flag(channel="phone")  # filed, not decided: not counted
    data = figures.collect(year=people.year)
    rows = {(r["code"], r["kind"]): r for r in summary(data)["departments"]}
    edu = rows[("JH-EDU", "document")]
    assert (edu["cap"], edu["used"], edu["passed"]) == (2, 3, False)
    assert edu["reasons"] == ["经确认的明减暗增 1 件超出总量（超出 1 件）"]
    flags = {row["department"]: row for row in data.flags["rows"]}
    assert (flags["江海市教育局"]["filed"], flags["江海市教育局"]["confirmed"]) == (2, 1)
    assert flags["江海市教育局"]["channels"] == "工作群通知 1"
    assert flags["江海市农业农村局"]["filed"] == 0
