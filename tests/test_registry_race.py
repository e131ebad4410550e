"""减负备案号 under 40 simultaneous approvals: every one approved, numbers 1…40 of
the year, none twice, none skipped. Each item is of its own department, so the
approvals share no quota row and meet only at the year's registry counter: on
PostgreSQL this is the real race (without the counter's row lock it gives one
number to several items); on SQLite the IMMEDIATE transactions queue."""

import datetime as dt
import time

import pytest

from approvals import services
from approvals.models import Proposal, RegistryCounter, State
from tests.concurrency import run_in_threads
from tests.factory import make_department, make_quota, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

N = 40
YEAR = 2027


def _item_at_office(i, reviewer):
    department = make_department(f"RACE-{i}")
    make_quota(department, year=YEAR, cap=10)
    clerk = make_user(role="clerk", department=department)
    head = make_user(role="head", department=department)
    item = services.proposal_create(
        by=clerk, kind="document", title=f"并发审批 {i}", necessity="须统一部署。",
        planned_date=dt.date(YEAR, 9, 15), doc_type="notice", length_chars=1200,
        target_levels=["township"])
    services.proposal_submit(proposal=item, by=clerk)
    services.proposal_decide(proposal=item, by=head, decision="approve")
    return item


def test_forty_approvals_at_once_get_forty_consecutive_numbers():
    office = make_department("JH-OFFICE", issues=False)
    reviewer = make_user(role="reviewer", department=office)
    items = [_item_at_office(i, reviewer) for i in range(N)]

    def work(i):
        services.proposal_decide(proposal=items[i], by=reviewer, decision="approve")
        return "ok"

    started = time.perf_counter()
    results = run_in_threads(N, work)
    elapsed = time.perf_counter() - started
    assert results == ["ok"] * N, [r for r in results if r != "ok"]
    approved = Proposal.objects.filter(title__startswith="并发审批")
    assert approved.filter(state=State.APPROVED).count() == N
    assert sorted(approved.values_list("registry_seq", flat=True)) == list(range(1, N + 1))
    assert len(set(approved.values_list("registry_number", flat=True))) == N
    assert RegistryCounter.objects.get(year=YEAR).last == N
    print(f"\n{N} concurrent approvals numbered in {elapsed:.2f} s")
