from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quotas import services
from quotas.models import BreakerState, LedgerAction, LedgerEntry, Quota
from tests.factory import make_department, make_quota, make_user, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_user("alice", role="clerk")


def test_it_reserves_one_slot_and_writes_the_entry(clerk):
    quota = make_quota(cap=3)
    entry = services.quota_reserve(quota=quota, source=None, by=clerk)
    quota = reload(quota)
    assert (quota.reserved, quota.committed, quota.overridden) == (1, 0, 0)
    assert entry.action == LedgerAction.RESERVE
    assert entry.actor == clerk
    assert (entry.reserved_after, entry.committed_after, entry.cap_after) == (1, 0, 3)


def test_it_commits_a_reserved_slot(clerk):
    quota = make_quota(cap=3)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    entry = services.quota_commit(quota=quota, source=None, by=clerk)
    quota = reload(quota)
    assert (quota.reserved, quota.committed) == (0, 1)
    assert (entry.delta_reserved, entry.delta_committed) == (-1, 1)


def test_it_releases_a_reserved_and_a_committed_slot(clerk):
    quota = make_quota(cap=3)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_commit(quota=quota, source=None, by=clerk)
    services.quota_release(quota=quota, source=None, by=clerk)
    services.quota_release(quota=quota, source=None, by=clerk, held="committed")
    quota = reload(quota)
    assert (quota.reserved, quota.committed) == (0, 0)


def test_it_refuses_to_release_what_is_not_held(clerk):
    quota = make_quota(cap=3)
    with pytest.raises(services.QuotaCounterError):
        services.quota_release(quota=quota, source=None, by=clerk)
    with pytest.raises(services.QuotaCounterError):
        services.quota_commit(quota=quota, source=None, by=clerk)
    assert LedgerEntry.objects.filter(quota=quota).exclude(action=LedgerAction.CAP).count() == 0


def test_it_counts_an_override_beyond_the_cap(clerk):
    quota = make_quota(cap=1)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_override(quota=quota, source=None, by=clerk, note="防汛紧急会议")
    quota = reload(quota)
    assert (quota.reserved, quota.overridden) == (1, 1)
    assert quota.breaker_state == BreakerState.TRIPPED


def test_it_refuses_a_reservation_at_the_cap_with_a_clear_message(clerk):
    dept = make_department("JH-EDU", name="江海市教育局")
    quota = make_quota(dept, year=2026, cap=2)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_commit(quota=quota, source=None, by=clerk)
    with pytest.raises(services.QuotaExhausted) as caught:
        services.quota_reserve(quota=quota, source=None, by=clerk)
    message = str(caught.value)
    for fragment in ["江海市教育局", "2026", "发文", "总量 2", "审核中占用 1", "已批准 1"]:
        assert fragment in message
    assert caught.value.quota.pk == quota.pk
    assert reload(quota).reserved == 1
    assert LedgerEntry.objects.filter(quota=quota, action=LedgerAction.RESERVE).count() == 2


def test_it_records_a_blocked_attempt_without_changing_counters(clerk):
    quota = make_quota(cap=0)
    entry = services.quota_record_blocked(quota=quota, source=None, by=clerk)
    assert entry.action == LedgerAction.BLOCKED
    assert (entry.delta_reserved, entry.delta_committed, entry.delta_overridden) == (0, 0, 0)
    assert reload(quota).used == 0


def test_breaker_state_follows_the_warning_ratio(clerk):
    quota = make_quota(cap=5, warning_ratio=Decimal("0.60"))
    states = []
    for _ in range(5):
        states.append(reload(quota).breaker_state)
        services.quota_reserve(quota=quota, source=None, by=clerk)
    states.append(reload(quota).breaker_state)
    assert states == ["normal", "normal", "normal", "warning", "warning", "tripped"]


def test_a_zero_cap_is_tripped():
    assert make_quota(cap=0).breaker_state == BreakerState.TRIPPED


def test_it_refuses_a_cap_below_what_is_used(clerk):
    dept = make_department(name="江海市农业农村局")
    quota = make_quota(dept, cap=3)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    with pytest.raises(services.QuotaCapTooLow) as caught:
        services.quota_set_cap(department=dept, year=2026, kind="document", cap=1)
    assert "江海市农业农村局" in str(caught.value)
    assert "合计 2" in str(caught.value)
    assert reload(quota).cap == 3


def test_setting_a_cap_writes_a_ledger_entry():
    quota = make_quota(cap=3)
    services.quota_set_cap(department=quota.department, year=2026, kind="document", cap=5)
    entries = list(LedgerEntry.objects.filter(quota=quota, action=LedgerAction.CAP))
    assert [e.cap_after for e in entries] == [3, 5]


def test_the_database_refuses_over_issue_even_without_the_service():
    quota = make_quota(cap=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(reserved=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(reserved=1, committed=1)


def test_ledger_entries_cannot_be_changed_or_deleted(clerk):
    quota = make_quota(cap=1)
    entry = services.quota_reserve(quota=quota, source=None, by=clerk)
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).update(reserved_after=0)


@pytest.mark.django_db(transaction=True)
def test_a_fault_after_the_counter_update_leaves_nothing_behind(clerk, monkeypatch):
    """An exception between the UPDATE and the end of the transaction must roll
    back both the counter and the ledger entry: on its own, and inside a
    caller's transaction (quota_reserve adds no savepoint, so the caller's
    whole transaction goes)."""
    quota = make_quota(cap=3)
    entries_before = LedgerEntry.objects.count()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    class Exploding:
        """Fails where the entry is made — after the counters moved: in the ORM's
        INSERT (SQLite), or after the one statement that wrote both (PostgreSQL)."""

        _meta = LedgerEntry._meta
        objects = type("Manager", (), {"create": staticmethod(explode)})
        __init__ = explode

    monkeypatch.setattr(services, "LedgerEntry", Exploding)
    with pytest.raises(RuntimeError):
        services.quota_reserve(quota=quota, source=None, by=clerk)
    with pytest.raises(RuntimeError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(warning_ratio=Decimal("0.5"))
        services.quota_reserve(quota=quota, source=None, by=clerk)
    monkeypatch.undo()
    assert reload(quota).reserved == 0
    assert reload(quota).warning_ratio != Decimal("0.5")
    assert LedgerEntry.objects.count() == entries_before
    assert services.ledger_drift() == []


@pytest.mark.ledger_drift_expected
def test_ledger_drift_finds_a_counter_changed_behind_the_ledger(clerk):
    quota = make_quota(cap=3)
    services.quota_reserve(quota=quota, source=None, by=clerk)
    assert services.ledger_drift() == []
    Quota.objects.filter(pk=quota.pk).update(reserved=2)
    drift = services.ledger_drift()
    assert [(d["counter"], d["ledger"], d["actual"]) for d in drift] == [("reserved", 1, 2)]


def test_quota_get_names_the_missing_quota():
    dept = make_department(name="江海市卫生健康委员会")
    with pytest.raises(services.QuotaMissing) as caught:
        services.quota_get(department=dept, year=2030, kind="meeting")
    assert "江海市卫生健康委员会" in str(caught.value) and "2030" in str(caught.value)


FIELDS = ["quota_id", "action", "actor_id", "source_type_id", "source_id", "delta_reserved", "delta_committed",
          "delta_overridden", "delta_flagged", "cap_after", "reserved_after", "committed_after",
          "overridden_after", "flagged_after", "note"]


def test_a_reservation_writes_the_same_row_on_every_database(people):
    """PostgreSQL reserves in one statement (a data-modifying CTE), SQLite in the
    guarded UPDATE and an INSERT: the stored row, the entry returned and the
    counters are the same as the general path (_change) writes."""
    p = people.document()
    twin = make_quota(cap=1)
    entry = services.quota_reserve(quota=people.quota, source=p, by=people.clerk)
    general = services._change(twin, action=LedgerAction.RESERVE, source=p, by=people.clerk, reserved=1,
                               only_if_free=True)
    stored = LedgerEntry.objects.values(*FIELDS).get(pk=entry.pk)
    expected = LedgerEntry.objects.values(*FIELDS).get(pk=general.pk)
    assert stored == {**expected, "quota_id": people.quota.pk, "cap_after": 5}
    assert {name: getattr(entry, name) for name in FIELDS} == stored
    assert entry.source == p and entry.created_at == LedgerEntry.objects.get(pk=entry.pk).created_at
    assert (people.quota.reserved, reload(people.quota).reserved) == (1, 1)
    # At the cap neither path writes anything.
    with pytest.raises(services.QuotaExhausted):
        services.quota_reserve(quota=twin, source=p, by=people.clerk)
    assert LedgerEntry.objects.filter(quota=twin).count() == 2 and reload(twin).reserved == 1  # set_cap + reserve
    assert not services.ledger_drift()
