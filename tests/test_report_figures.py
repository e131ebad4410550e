"""Issue 13: the year-end report's figures against an independent query, its
JSON twin (command and API), numbered stored versions and verify_report."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from approvals import services
from approvals.models import Proposal
from quotas.models import Kind, Quota
from reports import figures
from tests.clock import outcomes_due
from tests.factory import make_department, make_quota, make_user

YEAR = 2027
pytestmark = [pytest.mark.django_db, pytest.mark.people(year=YEAR)]


def approve(people, clerk, head, n, *, year=YEAR, kind="document", emergency=False):
    made = []
    for i in range(n):
        if kind == "document":
            p = people.document(by=clerk, planned_date=dt.date(year, 5, 10 + i), title=f"{year}年第{i}号文件")
        else:
            p = people.meeting(by=clerk, day=dt.date(year, 9, 14), title=f"{year}年第{i}次会议")
        extra = {"emergency": True, "justification": "汛情紧急，须立即部署。"} if emergency else {}
        services.proposal_submit(proposal=p, by=clerk, **extra)
        services.proposal_decide(proposal=p, by=head, decision="approve")
        p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
        if p.state == "leader_review":
            p = services.proposal_decide(proposal=p, by=people.leader, decision="approve")
        made.append(p)
    return made


@pytest.fixture
def departments(people):
    """EDU breaches only by one 特事特办 (last year 8 + 1 特事特办 = 9, target 6; this
    year 5 of 5 + 1 特事特办 = 6 > cap); AGRI is new this year; HEALTH misses its
    target by one (last year 5, target 3, this year 4 of 5)."""
    make_quota(people.dept, year=YEAR - 1, cap=8)
    approve(people, people.clerk, people.head, 8, year=YEAR - 1)
    approve(people, people.clerk, people.head, 1, year=YEAR - 1, emergency=True)
    approve(people, people.clerk, people.head, 5)
    approve(people, people.clerk, people.head, 1, emergency=True)
    approve(people, people.clerk, people.head, 1, kind="meeting")
    approve(people, people.outsider, people.other_head, 2)
    health = make_department("JH-HEALTH", name="江海市卫生健康委员会")
    clerk, head = make_user(role="clerk", department=health), make_user(role="head", department=health)
    make_quota(health, year=YEAR - 1, cap=6)
    make_quota(health, year=YEAR, cap=5)
    approve(people, clerk, head, 5, year=YEAR - 1)
    approve(people, clerk, head, 4)
    return people


def independent(year: int) -> tuple[list[dict], dict]:
    """The figures from the items themselves, not from the report's code or the counters."""
    rows = []
    for quota in Quota.objects.filter(year=year).select_related("department").order_by("department__code", "kind"):
        used = Proposal.objects.filter(quota=quota, hold__in=["committed", "overridden"]).count()
        overridden = Proposal.objects.filter(quota=quota, hold="overridden").count()
        last = Quota.objects.filter(department=quota.department, year=year - 1, kind=quota.kind).first()
        last_year = None if last is None else Proposal.objects.filter(
            quota=last, hold__in=["committed", "overridden"]).count()
        target = None if last_year is None else last_year * 7 // 10
        passed = used <= quota.cap and (target is None or used <= target)
        rows.append({"code": quota.department.code, "kind": quota.kind, "cap": quota.cap, "used": used,
                     "overridden": overridden, "last_year": last_year, "target": target, "passed": passed})
    totals = {}
    for kind in Kind.values:
        mine = [r for r in rows if r["kind"] == kind]
        if not mine and kind not in ("document", "meeting"):
            continue
        compared = [r for r in mine if r["last_year"] is not None]
        totals[kind] = {"cap": sum(r["cap"] for r in mine), "used": sum(r["used"] for r in mine),
                        "target": sum(r["target"] for r in compared) if compared else None,
                        "passed": bool(mine) and all(r["passed"] for r in mine)}
    return rows, totals


def test_every_department_and_total_matches_an_independent_query(departments):
    data = figures.collect(year=YEAR)
    from reports.summary import summary

    got = summary(data)
    rows, totals = independent(YEAR)
    assert [{k: v for k, v in r.items() if k != "reasons"} for r in got["departments"]] == rows
    assert got["totals"] == totals
    by = {(r["code"], r["kind"]): r for r in got["departments"]}
    # The department that breached only by 特事特办 says so; the new one is new, not judged on a baseline.
    assert by[("JH-EDU", "document")]["reasons"] == ["特事特办 1 件超出总量（超出 1 件）"]
    assert by[("JH-EDU", "document")]["last_year"] == 9  # 8 approved + 1 特事特办: what was issued
    assert by[("JH-AGRI", "document")] | {"reasons": None} == {
        "code": "JH-AGRI", "kind": "document", "cap": 5, "used": 2, "overridden": 0, "last_year": None,
        "target": None, "passed": True, "reasons": None}
    assert by[("JH-HEALTH", "document")]["reasons"] == ["超过压减目标 1 件"]
    # The total is 未达标 because departments are, and its target adds up theirs (6 + 3), not floor(14 × 0.7).
    assert got["totals"]["document"] == {"cap": 15, "used": 12, "target": 9, "passed": False}
    assert got["totals"]["meeting"] == {"cap": 5, "used": 1, "target": None, "passed": True}
    # A kind nobody has a quota for is not listed (rather than judged on nothing).
    assert set(got["totals"]) == {"document", "meeting"}


def test_a_year_in_progress_is_provisional_and_a_closed_one_is_not(departments):
    assert figures.collect(year=YEAR).provisional  # the suite's clock is before 2028
    late = dt.datetime(YEAR + 1, 1, 2, 9, tzinfo=dt.timezone.utc)
    assert not figures.collect(year=YEAR, now=late).provisional


def test_the_fingerprint_is_stable_and_moves_with_the_data(departments):
    first = figures.collect(year=YEAR).fingerprint
    assert len(first) == 64 and figures.collect(year=YEAR).fingerprint == first
    p = Proposal.objects.filter(state="approved", kind="meeting").get()
    with outcomes_due():
        services.proposal_complete(proposal=p, by=departments.clerk, actual_attendees=20)
    assert figures.collect(year=YEAR).fingerprint != first


def test_lists_are_in_date_order(departments):
    data = figures.collect(year=YEAR)
    for scope in data.departments:
        days = [(item.planned_day, item.pk) for item in scope.items]
        assert days == sorted(days)
    assert [r.day for r in data.not_completed] == sorted(r.day for r in data.not_completed)


@pytest.mark.parametrize("role", ["auditor", "reviewer", "leader"])
def test_the_api_summary_has_exactly_the_contract_shape(departments, client, role):
    client.force_login(getattr(departments, role))
    response = client.get(f"/api/v1/reports/{YEAR}/summary/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"year", "generated_at", "data_as_of", "provisional", "fingerprint", "departments", "totals"}
    assert {tuple(sorted(r)) for r in body["departments"]} == {tuple(sorted(
        ["code", "kind", "cap", "used", "overridden", "last_year", "target", "passed", "reasons"]))}
    assert set(body["totals"]) == {"document", "meeting"}
    assert all(set(t) == {"cap", "used", "target", "passed"} for t in body["totals"].values())
    rows, totals = independent(YEAR)
    assert body["totals"] == totals and body["provisional"] is True


@pytest.mark.parametrize("role", ["clerk", "head", "outsider"])
def test_the_api_summary_is_refused_to_other_roles(departments, client, role):
    client.force_login(getattr(departments, role))
    assert client.get(f"/api/v1/reports/{YEAR}/summary/").status_code == 403
    client.logout()
    assert client.get(f"/api/v1/reports/{YEAR}/summary/").status_code in (401, 403)


def test_an_inspection_is_dated_by_its_shanghai_start_as_a_meeting_is():
    """The report's rows read the day as Proposal.planned_day does (START_DATED kinds by their start)."""

    start = dt.datetime(2027, 12, 31, 23, 0, tzinfo=dt.timezone.utc)  # 1 January 2028 in Shanghai
    for kind in ("meeting", "inspection"):
        assert figures.planned_day({"kind": kind, "start": start, "planned_date": None}) == dt.date(2028, 1, 1)
    assert figures.planned_day({"kind": "document", "start": None, "planned_date": dt.date(2027, 5, 1)}) == \
        dt.date(2027, 5, 1)
