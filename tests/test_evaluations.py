"""逆向考核 (issue 17): who may be rated, one rating per unit per department per
year revisable in the window, the window's edges in Asia/Shanghai, and figures
only for departments rated by at least the threshold of units."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from approvals.errors import InvalidTransition, NotAllowed, SubmissionRefused
from grassroots import evaluations, selectors
from grassroots.models import Rating
from tests.factory import People, make_quota
from tests.grassroots import Raters

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=5)


@pytest.fixture
def raters(people):
    people.approved(people.document())  # to every township of the year
    return Raters(people)


def test_the_rateable_departments_follow_the_rule(people, raters):
    """Documents and meetings by their target levels, inspections by visited unit;
    approved or completed only, in the year they count against."""
    village = raters.grassroots.village
    town = raters.grassroots.township
    assert list(evaluations.rateable_departments(town, people.year)) == [people.dept]
    assert list(evaluations.rateable_departments(village, people.year)) == []
    # A draft, a submitted item and another year's item do not count.
    people.submitted(people.document(target_levels=["village"]))
    people.document(target_levels=["village"])
    make_quota(people.dept, year=people.year + 1)
    people.approved(people.document(target_levels=["village"], planned_date=dt.date(people.year + 1, 1, 5)))
    assert list(evaluations.rateable_departments(village, people.year)) == []
    people.approved(people.document(target_levels=["county", "village"]))
    assert list(evaluations.rateable_departments(village, people.year)) == [people.dept]
    assert list(evaluations.rateable_departments(village, people.year + 1)) == [people.dept]


def test_a_rating_is_stored_without_its_unit_and_replaced_on_revision(people, raters):
    raters.open()
    reporter = raters.reporters[0]
    first = raters.rate(reporter, necessity=2, comment="表格太多")
    second = raters.rate(reporter, necessity=5)
    assert Rating.objects.count() == 1 and first.pk == second.pk
    stored = Rating.objects.get()
    assert (stored.necessity, stored.comment) == (5, "")
    names = {f.name for f in Rating._meta.get_fields()}
    assert not names & {"unit", "reporter", "user", "rater", "created_at", "updated_at"}
    assert evaluations.rating_of(unit=raters.units[0], department=people.dept, year=people.year) == stored
    assert evaluations.rating_of(unit=raters.units[1], department=people.dept, year=people.year) is None


def test_a_department_that_sent_nothing_is_refused(people, raters):
    raters.open()
    with pytest.raises(SubmissionRefused) as refused:
        raters.rate(raters.reporters[0], people.other)
    assert refused.value.code == "not_rateable"
    assert not Rating.objects.exists()


def test_only_reporters_rate(people, raters):
    raters.open()
    with pytest.raises(NotAllowed):
        raters.rate(people.clerk)


WINDOW_OPENS, WINDOW_CLOSES = dt.date(2026, 12, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize("at, is_open", [
    # Opens at 00:00 Beijing time on 1 December = 16:00 UTC on 30 November.
    (dt.datetime(2026, 11, 30, 15, 59, 59, tzinfo=dt.timezone.utc), False),
    (dt.datetime(2026, 11, 30, 16, 0, 0, tzinfo=dt.timezone.utc), True),
    # Closes at the end of 31 December Beijing time = 16:00 UTC on 31 December.
    (dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=dt.timezone.utc), True),
    (dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=dt.timezone.utc), False),
])
def test_the_window_edges_are_beijing_midnights(people, raters, at, is_open):
    make_quota(people.dept, year=2026)
    people.approved(people.document(planned_date=dt.date(2026, 9, 15)))
    evaluations.window_set(by=people.reviewer, year=2026, opens_on=WINDOW_OPENS, closes_on=WINDOW_CLOSES)
    with mock.patch("grassroots.evaluations.timezone.now", return_value=at):
        if is_open:
            raters.rate(raters.reporters[0], year=2026)
            assert Rating.objects.filter(year=2026).count() == 1
        else:
            with pytest.raises(InvalidTransition) as refused:
                raters.rate(raters.reporters[0], year=2026)
            assert refused.value.code == "window_closed"
            assert "2026-12-01 至 2026-12-31" in str(refused.value)


def test_a_closed_window_stays_closed(people, raters):
    raters.open()
    raters.close()
    with pytest.raises(InvalidTransition):
        raters.open()
    with pytest.raises(InvalidTransition):
        raters.rate(raters.reporters[0])


def test_only_the_office_opens_and_closes(people, raters):
    with pytest.raises(NotAllowed):
        evaluations.window_set(by=people.clerk, year=people.year, opens_on=raters.today, closes_on=raters.today)
    raters.open()
    with pytest.raises(NotAllowed):
        evaluations.window_close(by=people.auditor, year=people.year)


def test_figures_appear_only_after_closing_and_from_the_threshold(people, raters):
    raters.open()
    for reporter, score in zip(raters.reporters[:2], (1, 4)):
        raters.rate(reporter, necessity=score, effect=score, burden=score, formalism=score, comment="意见")
    assert selectors.evaluation_figures(people.year)["departments"] == {}  # open: nothing yet
    raters.close()
    figures = selectors.evaluation_figures(people.year)
    assert figures["published"] and figures["departments"] == {}  # two raters: nothing shown
    assert figures["units"] == 2


def test_three_raters_give_means_and_distributions(people, raters):
    raters.open()
    for reporter, score in zip(raters.reporters, (1, 4, 4)):
        raters.rate(reporter, necessity=score, effect=5, burden=2, formalism=score, comment="x" if score == 1 else "")
    raters.close()
    row = selectors.evaluation_figures(people.year)["departments"][people.dept.pk]
    assert row["responses"] == 3 and row["comments"] == 1
    assert row["dimensions"]["necessity"] == {"mean": 3.0, "distribution": {"1": 1, "2": 0, "3": 0, "4": 2, "5": 0}}
    assert row["dimensions"]["effect"]["mean"] == 5.0
    assert row["overall"] == round((3 + 5 + 2 + 3) / 4, 2)


def test_the_threshold_is_a_setting(people, raters, settings):
    settings.JIANFU = {**settings.JIANFU, "EVALUATION_MIN_RESPONSES": 4}
    raters.open()
    for reporter in raters.reporters:
        raters.rate(reporter)
    raters.close()
    assert selectors.evaluation_figures(people.year)["departments"] == {}


def test_released_comments_need_a_closed_window_and_the_threshold(people, raters):
    raters.open()
    ratings = [raters.rate(r, comment=f"意见{n}") for n, r in enumerate(raters.reporters)]
    with pytest.raises(InvalidTransition):
        evaluations.comment_release(by=people.reviewer, rating_id=ratings[0].pk, text="意见")
    raters.close()
    with pytest.raises(NotAllowed):
        evaluations.comment_release(by=people.head, rating_id=ratings[0].pk, text="意见")
    evaluations.comment_release(by=people.reviewer, rating_id=ratings[2].pk, text="会议太多（已删去单位名）")
    assert selectors.released_comments(people.year, people.dept.pk) == ["会议太多（已删去单位名）"]
    assert selectors.released_comments(people.year, people.other.pk) == []
