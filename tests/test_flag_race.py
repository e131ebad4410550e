"""Two reviewers deciding the same flag at the same instant: one decision stands,
the other is told it was decided (409), and the issuer is charged once."""

import pytest
from django.utils import timezone

from approvals.errors import InvalidTransition
from grassroots import services
from quotas.models import LedgerAction, LedgerEntry
from tests.concurrency import run_in_threads
from tests.factory import People, make_user, reload
from tests.grassroots import Grassroots

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_simultaneous_decisions_on_one_flag_charge_it_once():
    people = People(year=timezone.localdate().year, cap=5)
    flag = Grassroots(people).flag()
    reviewers = [people.reviewer] + [make_user(role="reviewer", department=people.office) for _ in range(5)]
    decisions = ["confirm", "dismiss", "confirm", "confirm", "dismiss", "confirm"]

    def work(i):
        try:
            services.flag_triage(flag=flag, by=reviewers[i], decision=decisions[i], comment="核查意见")
            return "ok"
        except InvalidTransition as refused:
            return refused.code

    results = run_in_threads(len(reviewers), work)
    assert results.count("ok") == 1, results
    assert set(results) == {"ok", "flag_already_decided"}
    charged = LedgerEntry.objects.filter(action=LedgerAction.FLAG).count()
    assert reload(people.quota).flagged == charged == (1 if reload(flag).state == "confirmed" else 0)
