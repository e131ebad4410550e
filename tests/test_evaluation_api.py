"""The evaluations API per issue 17's contract: POST /api/v1/evaluations/ → 201
(again in the window → replaced), 409 outside the window, 400 for a department
that sent the unit nothing; GET /api/v1/evaluations/summary/?year= → per
department and dimension only from the threshold of raters, never a rater."""

import json

import pytest
from django.utils import timezone

from grassroots.models import Rating
from tests.api import client_for
from tests.factory import People
from tests.grassroots import Raters

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=5)


@pytest.fixture
def raters(people):
    people.approved(people.document())
    return Raters(people)


def body(year, department="JH-EDU", comment="", **scores):
    values = {"necessity": 4, "effect": 4, "burden": 2, "formalism": 3}
    values.update(scores)
    return {"department": department, "year": year, "scores": values, "comment": comment}


def post(user, data):
    return client_for(user).post("/api/v1/evaluations/", data, format="json")


def test_a_reporter_rates_and_rating_again_replaces(people, raters):
    raters.open()
    reporter = raters.reporters[0]
    first = post(reporter, body(people.year, comment="会太多"))
    assert first.status_code == 201, first.json()
    assert first.json() == {"department": "JH-EDU", "year": people.year, "comment": "会太多",
                            "scores": {"necessity": 4, "effect": 4, "burden": 2, "formalism": 3}}
    again = post(reporter, body(people.year, necessity=1))
    assert again.status_code == 201
    assert Rating.objects.count() == 1 and Rating.objects.get().necessity == 1


def test_outside_the_window_is_409(people, raters):
    response = post(raters.reporters[0], body(people.year))
    assert response.status_code == 409 and response.json()["code"] == "window_closed"
    raters.open()
    raters.close()
    assert post(raters.reporters[0], body(people.year)).status_code == 409
    assert not Rating.objects.exists()


def test_a_department_that_sent_nothing_is_400(people, raters):
    raters.open()
    response = post(raters.reporters[0], body(people.year, department="JH-AGRI"))
    assert response.status_code == 400 and response.json()["code"] == "not_rateable"
    # The village got nothing from JH-EDU this year (the document went to townships).
    response = post(raters.grassroots.village_reporter, body(people.year))
    assert response.status_code == 400


@pytest.mark.parametrize("scores", [{"necessity": 0}, {"burden": 6}, {"effect": "好"}])
def test_scores_outside_1_to_5_are_400(people, raters, scores):
    raters.open()
    assert post(raters.reporters[0], body(people.year, **scores)).status_code == 400


@pytest.mark.parametrize("who", ["clerk", "head", "reviewer", "auditor"])
def test_only_reporters_rate(people, raters, who):
    raters.open()
    assert post(getattr(people, who), body(people.year)).status_code == 403
    assert client_for().post("/api/v1/evaluations/", body(people.year), format="json").status_code == 401


def summary(user, year):
    response = client_for(user).get(f"/api/v1/evaluations/summary/?year={year}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_two_raters_show_nothing_to_anyone(people, raters):
    raters.open()
    for reporter in raters.reporters[:2]:
        assert post(reporter, body(people.year, comment="留痕太多")).status_code == 201
    raters.close()
    for user in (people.head, people.reviewer, people.auditor, people.leader):
        data = summary(user, people.year)
        assert data["published"] and data["results"] == [] and data["threshold"] == 3


def test_three_raters_give_rows_per_dimension_without_raters(people, raters):
    raters.open()
    for reporter, score in zip(raters.reporters, (2, 4, 5)):
        post(reporter, body(people.year, necessity=score, comment=f"单位{score}的意见"))
    assert summary(people.head, people.year)["results"] == []  # not before the window closes
    raters.close()
    data = summary(people.head, people.year)
    rows = {row["dimension"]: row for row in data["results"]}
    assert set(rows) == {"necessity", "effect", "burden", "formalism"}
    assert rows["necessity"] == {"department": "JH-EDU", "department_name": "江海市教育局", "dimension": "necessity",
                                 "responses": 3, "mean": 3.67,
                                 "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("grassroots_town", "town_reporter", "JH-QS-LX", "JH-TOWN", "柳溪镇", "第2镇", "意见"):
        assert secret not in text
    # Another department's people see nothing of JH-EDU's results.
    assert summary(people.outsider, people.year)["results"] == []


def test_the_summary_needs_a_year(people):
    response = client_for(people.head).get("/api/v1/evaluations/summary/")
    assert response.status_code == 400
    assert client_for().get("/api/v1/evaluations/summary/?year=2026").status_code == 401


def test_error_messages_name_no_rater(people, raters):
    raters.open()
    response = post(raters.reporters[0], body(people.year, department="JH-AGRI"))
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "柳溪镇" not in text and "grassroots_town" not in text
