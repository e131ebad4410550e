"""明减暗增: a confirmed flag counts as used, may push usage past the cap, and
trips the breaker for the next submission — without breaking the CHECK on the
slots the gate handed out."""

import pytest
from django.db import IntegrityError, transaction

from quotas import services
from quotas.models import LedgerAction, Quota
from tests.factory import make_quota, make_user, reload

pytestmark = pytest.mark.django_db


def test_a_confirmed_flag_counts_as_used_and_trips_the_next_reservation():
    quota = make_quota(cap=2)
    clerk = make_user()
    services.quota_reserve(quota=quota, source=None, by=clerk)
    entry = services.quota_flag(quota=quota, source=None, by=clerk, note="工作群通知")
    assert (entry.action, entry.delta_flagged, entry.flagged_after) == (LedgerAction.FLAG, 1, 1)
    quota = reload(quota)
    assert (quota.used, quota.remaining, quota.breaker_state) == (2, 0, "tripped")
    with pytest.raises(services.QuotaExhausted) as refused:
        services.quota_reserve(quota=quota, source=None, by=clerk)
    assert "明减暗增 1" in str(refused.value)
    assert services.ledger_drift() == []


def test_flags_may_push_usage_past_the_cap_and_show_it():
    quota = make_quota(cap=1)
    clerk = make_user()
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_flag(quota=quota, source=None, by=clerk)
    services.quota_flag(quota=quota, source=None, by=clerk)
    quota = reload(quota)
    assert (quota.issued, quota.used, quota.over_cap, quota.remaining) == (1, 3, 2, 0)


def test_the_check_still_guards_the_slots_the_gate_handed_out():
    quota = make_quota(cap=1)
    services.quota_flag(quota=quota, source=None, by=make_user())
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(reserved=2)


def test_verify_ledger_sees_a_drifting_flag_counter(request):
    request.applymarker(pytest.mark.ledger_drift_expected)
    quota = make_quota(cap=3)
    services.quota_flag(quota=quota, source=None, by=make_user())
    Quota.objects.filter(pk=quota.pk).update(flagged=0)
    assert [d["counter"] for d in services.ledger_drift()] == ["flagged"]


def test_a_cap_may_not_go_below_the_issued_slots_but_may_go_below_flags():
    quota = make_quota(cap=3)
    services.quota_flag(quota=quota, source=None, by=make_user())
    services.quota_flag(quota=quota, source=None, by=make_user())
    updated, previous = services.quota_set_cap(department=quota.department, year=quota.year,
                                               kind=quota.kind, cap=1)
    assert (previous, updated.cap, updated.over_cap) == (3, 1, 1)
