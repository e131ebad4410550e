"""Exactly-K through the whole submission path (services, flow start, quota)."""

import pytest

from approvals import services
from approvals.models import Proposal, State
from quotas.models import LedgerAction, LedgerEntry
from tests.concurrency import run_in_threads
from tests.factory import People, reload

pytestmark = pytest.mark.django_db(transaction=True)


def test_n_clerks_submitting_at_once_for_the_last_k_slots():
    people = People(cap=8)
    for _ in range(5):
        people.submitted(people.document())
    drafts = [people.document(title=f"并发提交 {i}") for i in range(16)]

    def work(i):
        try:
            services.proposal_submit(proposal=drafts[i], by=people.clerk)
            return "ok"
        except services.QuotaRefused:
            return "refused"

    results = run_in_threads(len(drafts), work)
    assert [r for r in results if r not in ("ok", "refused")] == []
    assert results.count("ok") == 3
    quota = reload(people.quota)
    assert quota.reserved == 8
    assert Proposal.objects.filter(title__startswith="并发提交", state=State.HEAD_REVIEW).count() == 3
    assert LedgerEntry.objects.filter(action=LedgerAction.BLOCKED).count() == 13


def test_two_heads_signing_the_same_proposal_at_once_sign_it_once():
    from django.contrib.auth.models import Group

    people = People()
    second_head = people.clerk2
    second_head.groups.add(Group.objects.get(name="head"))
    p = people.submitted(people.document())
    heads = [people.head, second_head]

    def work(i):
        try:
            services.proposal_decide(proposal=p, by=heads[i], decision="approve")
            return "ok"
        except (services.InvalidTransition, services.NotAllowed):
            return "refused"
        except Exception as error:  # FlowLockFailed is acceptable: a clear "busy"
            return type(error).__name__

    results = run_in_threads(2, work)
    assert results.count("ok") == 1
    assert set(results) <= {"ok", "refused", "FlowLockFailed"}
    assert reload(p).state == State.OFFICE_REVIEW
    assert p.events.filter(action="approve").count() == 1
