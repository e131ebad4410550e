"""Exactly-K: with cap K and N ≫ K simultaneous submitters, exactly K succeed."""

import pytest

from quotas import services
from quotas.models import LedgerAction, LedgerEntry
from tests.concurrency import reserve_in_processes, run_in_threads
from tests.factory import make_quota, make_user, reload

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_issues_exactly_k_slots_to_n_threads():
    cap, workers = 7, 32
    quota = make_quota(cap=cap)
    user = make_user(role="clerk")

    def work(i):
        try:
            services.quota_reserve(quota=quota, source=None, by=user)
            return "ok"
        except services.QuotaExhausted:
            return "exhausted"

    results = run_in_threads(workers, work)
    unexpected = [r for r in results if r not in ("ok", "exhausted")]
    assert unexpected == []
    assert results.count("ok") == cap
    assert results.count("exhausted") == workers - cap
    quota = reload(quota)
    assert quota.reserved == cap
    assert LedgerEntry.objects.filter(quota=quota, action=LedgerAction.RESERVE).count() == cap
    assert services.ledger_drift() == []


@pytest.mark.slow
def test_it_issues_exactly_k_slots_to_competing_processes():
    """Separate processes have separate connections, as gunicorn workers or hosts do."""
    cap, processes, per_process = 9, 4, 6
    quota = make_quota(cap=cap)
    user = make_user(role="clerk")
    outcomes = reserve_in_processes(
        processes=processes, per_process=per_process, quota_id=quota.pk, user_id=user.pk
    )
    errors = [o for o in outcomes if o.startswith("error")]
    assert errors == []
    assert outcomes.count("ok") == cap
    assert outcomes.count("exhausted") == processes * per_process - cap
    assert reload(quota).reserved == cap
    assert services.ledger_drift() == []


def test_commits_and_releases_racing_with_reservations_keep_the_ledger_exact():
    cap = 5
    quota = make_quota(cap=cap)
    user = make_user(role="clerk")
    for _ in range(cap):
        services.quota_reserve(quota=quota, source=None, by=user)

    def work(i):
        try:
            if i < 3:
                services.quota_release(quota=quota, source=None, by=user)
            elif i < 5:
                services.quota_commit(quota=quota, source=None, by=user)
            else:
                services.quota_reserve(quota=quota, source=None, by=user)
            return "ok"
        except services.QuotaError:
            return "refused"

    results = run_in_threads(20, work)
    assert set(results) <= {"ok", "refused"}
    quota = reload(quota)
    assert quota.reserved + quota.committed <= cap
    assert quota.committed == 2
    assert services.ledger_drift() == []
