"""A city-wide cap beside each department's (issue 16): a submission takes a slot
of both or of neither; exactly K of the city's slots go to departments racing
each other; both quotas get their ledger entries."""

from collections import Counter

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from approvals import integrity, services
from approvals.models import Hold, State
from quotas.models import Kind, LedgerAction, LedgerEntry, Level
from tests.api import client_for
from tests.appserver import file_and_submit, gunicorn
from tests.concurrency import assert_verified, run_in_threads
from tests.factory import People, make_department, make_quota, make_user, reload


def _city(people, *, city_cap=2, own_cap=5):
    people.city = make_department("JH", name="江海市", level=Level.CITY, issues=False)
    for dept in (people.dept, people.other):
        dept.parent = people.city
        dept.save()
    people.health = make_department("JH-HEALTH", name="江海市卫生健康委员会", parent=people.city)
    people.health_clerk = make_user("clerk_health", role="clerk", department=people.health)
    people.health_head = make_user("head_health", role="head", department=people.health)
    people.city_quota = make_quota(people.city, year=2027, kind=Kind.DOCUMENT, cap=city_cap)
    people.quota = make_quota(people.dept, year=2027, kind=Kind.DOCUMENT, cap=own_cap)
    people.other_quota = make_quota(people.other, year=2027, kind=Kind.DOCUMENT, cap=own_cap)
    people.health_quota = make_quota(people.health, year=2027, kind=Kind.DOCUMENT, cap=own_cap)
    return people


@pytest.fixture
def city(people):
    return _city(people)


def _counts(quota):
    q = reload(quota)
    return q.reserved, q.committed, q.overridden


@pytest.mark.django_db
def test_a_submission_takes_a_slot_of_its_department_and_of_the_city(city):
    p = city.submitted(city.document())
    assert (_counts(city.quota), _counts(city.city_quota)) == ((1, 0, 0), (1, 0, 0))
    assert list(p.parent_quotas.all()) == [city.city_quota]
    assert LedgerEntry.objects.filter(proposal=p, action=LedgerAction.RESERVE).count() == 2


@pytest.mark.django_db
def test_the_city_cap_refuses_a_third_department_and_names_itself(city):
    city.submitted(city.document())
    city.submitted_by(city.outsider, city.document(by=city.outsider))
    theirs = city.document(by=city.health_clerk)
    response = client_for(city.health_clerk).post(f"/api/v1/proposals/{theirs.pk}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "quota_exhausted"
    assert response.json()["quota"]["department"] == "JH"
    assert _counts(city.health_quota) == (0, 0, 0)  # its own slot was given back with the refusal
    assert LedgerEntry.objects.filter(quota=city.city_quota, action=LedgerAction.BLOCKED).count() == 1
    assert reload(theirs).state == State.DRAFT


@pytest.mark.django_db
def test_approval_commits_and_cancelling_releases_both(city):
    p = city.approved(city.document())
    assert (_counts(city.quota), _counts(city.city_quota)) == ((0, 1, 0), (0, 1, 0))
    services.proposal_cancel(proposal=p, by=city.clerk, comment="活动取消")
    assert (_counts(city.quota), _counts(city.city_quota)) == ((0, 0, 0), (0, 0, 0))
    assert integrity.holding_problems() == []


@pytest.mark.django_db
def test_withdrawing_releases_both(city):
    p = city.submitted(city.document())
    services.proposal_withdraw(proposal=p, by=city.clerk)
    assert (_counts(city.quota), _counts(city.city_quota)) == ((0, 0, 0), (0, 0, 0))
    assert not reload(p).parent_quotas.exists()


@pytest.mark.django_db
def test_an_emergency_past_the_city_cap_is_overridden_in_both_once_the_leader_approves(city):
    city.submitted(city.document())
    city.submitted_by(city.outsider, city.document(by=city.outsider))
    p = city.submitted_by(city.health_clerk, city.document(by=city.health_clerk), emergency=True,
                          justification="突发疫情，须立即部署。")
    assert p.hold == Hold.NONE and _counts(city.health_quota) == (0, 0, 0)
    services.proposal_decide(proposal=p, by=city.health_head, decision="approve")
    services.proposal_decide(proposal=p, by=city.reviewer, decision="approve")
    p = services.proposal_decide(proposal=p, by=city.leader, decision="approve")
    assert p.hold == Hold.OVERRIDDEN
    assert (_counts(city.health_quota), _counts(city.city_quota)) == ((0, 0, 1), (2, 0, 1))
    assert integrity.holding_problems() == []


@pytest.mark.django_db
def test_clerks_see_the_city_quota_beside_their_own(city):
    rows = client_for(city.clerk).get("/api/v1/quotas/", {"department": "JH"}).json()["results"]
    assert [(r["department"], r["cap"]) for r in rows] == [("JH", 2)]
    assert set(rows[0]) >= {"reserved", "committed", "overridden", "flagged", "remaining", "state"}


@pytest.mark.django_db
def test_set_quota_works_for_a_parent_department(city, capsys):
    call_command("set_quota", department="JH", year=2028, kind="inspection", cap=4)
    assert "JH 2028 inspection: cap — -> 4" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_exactly_k_of_the_city_slots_go_to_three_departments_racing():
    people = _city(People(), city_cap=5, own_cap=10)
    clerks = [people.clerk, people.outsider, people.health_clerk]
    drafts = [(clerks[i % 3], people.document(by=clerks[i % 3], title=f"并发 {i}")) for i in range(18)]

    def work(i):
        clerk, draft = drafts[i]
        try:
            services.proposal_submit(proposal=draft, by=clerk)
            return "ok"
        except services.QuotaRefused as refused:
            return refused.quota.department.code

    results = run_in_threads(len(drafts), work)
    assert results.count("ok") == 5, results
    assert set(results) - {"ok"} == {"JH"}
    assert reload(people.city_quota).reserved == 5
    own = sum(reload(q).reserved for q in (people.quota, people.other_quota, people.health_quota))
    assert own == 5
    assert integrity.holding_problems() == []


# --- the same race over gunicorn: separate worker processes, separate connections --

GUNICORN_WORKERS, PER_DEPARTMENT = 4, 8


def _race_through_gunicorn(people) -> list[tuple[str, int, str | None]]:
    """Clerks of the three departments file and submit at once, PER_DEPARTMENT each,
    through gunicorn's workers, half of them in one request (?submit=1):
    (department, status, code of the quota named in a 409)."""
    clerks = [people.clerk, people.outsider, people.health_clerk]
    tokens = [Token.objects.create(user=clerk).key for clerk in clerks]
    with gunicorn(workers=GUNICORN_WORKERS) as server:
        answers = run_in_threads(3 * PER_DEPARTMENT, lambda i: file_and_submit(
            server, tokens[i % 3], one_request=i // 3 % 2 == 1))
    results = []
    for i, answer in enumerate(answers):
        assert isinstance(answer, tuple), answer  # a client error is shown as it is
        status, body = answer
        assert status in (200, 409), answer
        if status == 409:
            assert body["code"] == "quota_exhausted", answer
        named = body["quota"]["department"] if status == 409 else None
        results.append((clerks[i % 3].department.code, status, named))
    return results


def _blocked(quota) -> int:
    return LedgerEntry.objects.filter(quota=quota, action=LedgerAction.BLOCKED).count()


@pytest.mark.slow
@pytest.mark.single_db("postgresql")  # the threads above run on both
@pytest.mark.django_db(transaction=True)
def test_exactly_k_of_the_city_slots_go_to_three_departments_racing_through_gunicorn():
    people = _city(People(), city_cap=8, own_cap=50)
    people.submitted(people.document())
    people.submitted(people.document())  # the city has 6 slots left for 24 clients

    results = _race_through_gunicorn(people)

    won = Counter(dept for dept, status, _ in results if status == 200)
    assert sum(won.values()) == 6, results
    assert {named for _, status, named in results if status == 409} == {"JH"}
    assert reload(people.city_quota).reserved == 8
    # A department whose slot the city refused got it back: nothing leaks.
    assert reload(people.quota).reserved == 2 + won["JH-EDU"]
    assert reload(people.other_quota).reserved == won["JH-AGRI"]
    assert reload(people.health_quota).reserved == won["JH-HEALTH"]
    assert _blocked(people.city_quota) == 18
    assert_verified()


@pytest.mark.slow
@pytest.mark.single_db("postgresql")
@pytest.mark.django_db(transaction=True)
def test_a_department_at_its_own_cap_hears_of_its_own_quota_while_the_others_race_the_city_through_gunicorn():
    """One department's own quota is the tighter one: the health commission has used
    both of its slots, the city has 4 of 8 left. Its clerks are refused on their own
    quota (checked first, so they are told the reason that is theirs even once the
    city is full too), the others on the city's; neither quota gives out a slot."""
    people = _city(People(), city_cap=8, own_cap=50)
    make_quota(people.health, year=2027, kind=Kind.DOCUMENT, cap=2)
    for _ in range(2):
        people.submitted_by(people.health_clerk, people.document(by=people.health_clerk))
    people.submitted(people.document())
    people.submitted_by(people.outsider, people.document(by=people.outsider))

    results = _race_through_gunicorn(people)

    assert Counter(status for dept, status, _ in results if dept == "JH-HEALTH") == {409: PER_DEPARTMENT}
    assert {named for dept, status, named in results if dept == "JH-HEALTH"} == {"JH-HEALTH"}
    others = [(status, named) for dept, status, named in results if dept != "JH-HEALTH"]
    assert Counter(others) == {(200, None): 4, (409, "JH"): 2 * PER_DEPARTMENT - 4}
    assert (reload(people.city_quota).reserved, reload(people.health_quota).reserved) == (8, 2)
    won = Counter(dept for dept, status, _ in results if status == 200)
    assert reload(people.quota).reserved == 1 + won["JH-EDU"]
    assert reload(people.other_quota).reserved == 1 + won["JH-AGRI"]
    assert (_blocked(people.health_quota), _blocked(people.city_quota)) == (PER_DEPARTMENT, 2 * PER_DEPARTMENT - 4)
    assert_verified()
