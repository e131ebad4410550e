"""逆向考核 pages (issue 17): a reporter rates on the phone-sized form; results
reach the office's dashboard and the rated department's view only when
published and from the threshold of raters; no page, admin screen or message
says who rated."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots import evaluations
from grassroots.models import Rating
from quotas.models import Quota
from tests.factory import People, make_quota, make_user
from tests.grassroots import Raters

pytestmark = pytest.mark.django_db
SCORES = {"necessity": "2", "effect": "3", "burden": "1", "formalism": "2"}
SECRETS = ("grassroots_town", "town_reporter2", "town_reporter3", "柳溪镇", "第2镇", "第3镇", "JH-QS-LX", "JH-TOWN")


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=5)


@pytest.fixture
def raters(people):
    people.approved(people.document())
    return Raters(people)


def rate_all(raters, count, comment="村里陪会太多，柳溪镇王书记"):
    raters.open()
    for n, reporter in enumerate(raters.reporters[:count]):
        raters.rate(reporter, necessity=n + 1, comment=comment)
    raters.close()


def test_a_reporter_rates_a_department_on_the_page_and_revises(people, raters, client):
    raters.open()
    client.force_login(raters.reporters[0])
    page = client.get("/grassroots/evaluation/").content.decode()
    assert people.dept.name in page and "待评价" in page and people.other.name not in page
    url = f"/grassroots/evaluation/{people.year}/JH-EDU/"
    assert client.post(url, {**SCORES, "comment": "表格多"}).status_code == 302
    assert client.post(url, {**SCORES, "burden": "4"}).status_code == 302
    assert Rating.objects.get().burden == 4
    assert "已评价" in client.get("/grassroots/evaluation/").content.decode()
    assert client.post(url, {**SCORES, "burden": "9"}).status_code == 400
    refused = client.post(f"/grassroots/evaluation/{people.year}/JH-AGRI/", SCORES)
    assert refused.status_code == 400 and "没有向本单位" in refused.content.decode()


def test_outside_the_window_the_form_says_so(people, raters, client):
    client.force_login(raters.reporters[0])
    assert "不在逆向考核评价时间内" in client.get("/grassroots/evaluation/").content.decode()
    response = client.post(f"/grassroots/evaluation/{people.year}/JH-EDU/", SCORES)
    assert response.status_code == 409 and not Rating.objects.exists()


def test_others_may_not_rate_on_the_page(people, raters, client):
    raters.open()
    client.force_login(people.head)
    assert client.post(f"/grassroots/evaluation/{people.year}/JH-EDU/", SCORES).status_code == 403
    client.logout()
    assert client.get("/grassroots/evaluation/").status_code == 302


def pages_of(client, user, year):
    client.force_login(user)
    return {url: client.get(url).content.decode() for url in
            (f"/?year={year}", f"/grassroots/evaluation/results/?year={year}")}


def test_two_raters_show_nothing_anywhere(people, raters, client):
    rate_all(raters, 2)
    for user in (people.head, people.reviewer, people.auditor):
        for url, page in pages_of(client, user, people.year).items():
            assert 'data-department="JH-EDU"' not in page, (user, url)
            assert "陪会太多" not in page


def test_three_raters_reach_the_department_and_the_office_without_names(people, raters, client):
    rate_all(raters, 3)
    for user in (people.head, people.reviewer):
        for url, page in pages_of(client, user, people.year).items():
            assert 'data-department="JH-EDU"' in page, (user, url)
            assert "陪会太多" not in page  # the comment is not released
            for secret in SECRETS:
                assert secret not in page, (user, url, secret)
    # Another department sees nothing of JH-EDU's.
    for page in pages_of(client, people.outsider, people.year).values():
        assert 'data-department="JH-EDU"' not in page


def test_the_office_releases_a_comment_without_names(people, raters, client):
    rate_all(raters, 3)
    client.force_login(people.reviewer)
    url = f"/grassroots/evaluation/comments/{people.year}/JH-EDU/"
    page = client.get(url).content.decode()
    assert page.count("陪会太多") == 3
    for secret in SECRETS:  # the comment's own words aside, nothing names the unit
        assert secret not in page.replace("柳溪镇王书记", "")
    rating = Rating.objects.first()
    assert client.post(url, {"rating": rating.pk, "text": "村里陪会太多。"}).status_code == 302
    client.force_login(people.head)
    assert client.get(url).status_code == 403
    page = client.get(f"/grassroots/evaluation/results/?year={people.year}").content.decode()
    assert "村里陪会太多。" in page and "王书记" not in page


def test_the_admin_shows_ratings_to_superusers_only_and_never_a_unit(people, raters, client):
    rate_all(raters, 3)
    admin = make_user("admin1", role="administrator", department=people.office)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/grassroots/rating/").status_code == 403
    assert client.get("/admin/grassroots/monthlylog/").status_code == 403
    assert "grassroots/rating" not in client.get("/admin/").content.decode()
    root = make_user("root")
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(root)
    page = client.get("/admin/grassroots/rating/").content.decode()
    assert "江海市教育局" in page
    page = page.replace("柳溪镇王书记", "")  # the rater's own words
    for secret in SECRETS:
        assert secret not in page
    assert Rating.objects.first().rater_key not in page


def test_the_office_opens_and_closes_the_window_on_the_page(people, raters, client):
    client.force_login(people.reviewer)
    today = timezone.localdate()
    response = client.post("/grassroots/evaluation/window/", {
        "year": people.year, "opens_on": today.isoformat(), "closes_on": today.isoformat()})
    assert response.status_code == 302
    assert evaluations.open_window().year == people.year
    client.post("/grassroots/evaluation/window/", {"year": people.year, "opens_on": today.isoformat(),
                                                   "closes_on": today.isoformat(), "close": "1"})
    assert evaluations.open_window() is None
    client.force_login(people.head)
    assert client.post("/grassroots/evaluation/window/", {"year": people.year}).status_code == 403


def test_plan_quotas_cuts_the_lowest_rated_quarter_further(people, raters):
    from tests.test_quota_commands import committed, run

    rate_all(raters, 3)  # JH-EDU is published (the only one, so the lowest quarter); JH-AGRI is not
    make_quota(people.dept, year=people.year, cap=30)
    committed(make_quota(people.dept, year=people.year, cap=30), 19, people.reviewer)  # 20 with the fixture's
    committed(make_quota(people.other, year=people.year, cap=30), 20, people.reviewer)
    out = run("plan_quotas", "--year", str(people.year + 1), "--reduction", "0.3")
    caps = {q.department.code: q.cap for q in Quota.objects.filter(year=people.year + 1, kind="document")}
    assert caps == {"JH-EDU": 14, "JH-AGRI": 14}  # off by default: floor(20 × 0.7)
    out = run("plan_quotas", "--year", str(people.year + 1), "--reduction", "0.3", "--rating-cut", "0.1")
    caps = {q.department.code: q.cap for q in Quota.objects.filter(year=people.year + 1, kind="document")}
    assert caps == {"JH-EDU": 12, "JH-AGRI": 14}  # floor(20 × 0.6) for the lowest-rated
    assert "lowest-rated: a further 10%" in out


def test_plan_quotas_refuses_a_cut_that_leaves_nothing(people):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("plan_quotas", year=people.year + 1, reduction=0.5, rating_cut=0.5)


def test_the_lowest_quarter_takes_ties_and_never_the_unpublished(people, raters):
    from grassroots.selectors import lowest_rated

    assert lowest_rated(people.year) == set()
    rate_all(raters, 3)
    assert lowest_rated(people.year) == {people.dept.pk}
