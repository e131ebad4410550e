"""Random sequences of reserve/commit/release/override keep every invariant."""

import pytest
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from quotas import services
from quotas.models import Quota
from tests.factory import make_quota, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class QuotaMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.user = make_user(role="clerk")
        self.quota = make_quota(cap=3)
        self.model = {"cap": 3, "reserved": 0, "committed": 0, "overridden": 0}

    @rule()
    def reserve(self):
        try:
            services.quota_reserve(quota=self.quota, source=None, by=self.user)
            self.model["reserved"] += 1
        except services.QuotaExhausted:
            assert self.model["reserved"] + self.model["committed"] >= self.model["cap"]

    @rule()
    def commit(self):
        try:
            services.quota_commit(quota=self.quota, source=None, by=self.user)
            self.model["reserved"] -= 1
            self.model["committed"] += 1
        except services.QuotaCounterError:
            assert self.model["reserved"] == 0

    @rule(held=st.sampled_from(["reserved", "committed", "overridden"]))
    def release(self, held):
        try:
            services.quota_release(quota=self.quota, source=None, by=self.user, held=held)
            self.model[held] -= 1
        except services.QuotaCounterError:
            assert self.model[held] == 0

    @rule()
    def override(self):
        services.quota_override(quota=self.quota, source=None, by=self.user)
        self.model["overridden"] += 1

    @rule(cap=st.integers(min_value=0, max_value=6))
    def set_cap(self, cap):
        try:
            services.quota_set_cap(
                department=self.quota.department, year=self.quota.year, kind=self.quota.kind, cap=cap
            )
            self.model["cap"] = cap
        except services.QuotaCapTooLow:
            assert cap < self.model["reserved"] + self.model["committed"]

    @invariant()
    def counters_match_the_model_and_the_ledger(self):
        quota = Quota.objects.get(pk=self.quota.pk)
        actual = {k: getattr(quota, k) for k in self.model}
        assert actual == self.model
        assert quota.reserved + quota.committed <= quota.cap
        assert services.ledger_drift(year=quota.year) == []


def test_quota_invariants_hold_for_any_sequence():
    run_state_machine_as_test(
        QuotaMachine, settings=hsettings(max_examples=40, stateful_step_count=25, deadline=None)
    )
