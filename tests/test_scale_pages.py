"""Every page of the province-scale bench (bench/pages_bench.py, approvals.scale.pages)
costs at most 15 queries, and the same number whatever the amount of data
(issue 18, item 4). Timings are the bench's to show; query counts are
deterministic, so they are tested here."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals import scale, todo
from approvals.scale_pages import pages
from approvals.integrity import state_problems
from approvals.models import Proposal
from quotas.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

def _counts(prefix: str) -> dict:
    counts = {}
    for name, _, _, user, target in pages(prefix):
        client = Client()
        if user is not None:
            client.force_login(user)

        def once():
            if callable(target):
                return target()
            assert client.get(target).status_code == 200, target

        once()  # warm: process-wide caches (content types) fill on a first request
        with CaptureQueriesContext(connection) as queries:
            once()
        counts[name] = len(queries)
    return counts


def test_it_costs_the_same_few_queries_a_page_at_any_size():
    with transaction.atomic():
        scale.build(prefix="small", departments=8, proposals=400, years=2)
        small = _counts("small")
        transaction.set_rollback(True)
    scale.build(prefix="large", departments=40, proposals=2400, years=2)
    large = _counts("large")

    assert large == small
    # The year-end report's data gathering is a background job, not a page: its
    # count (a query or two per section) only has to stay the same at any size.
    pages = {name: n for name, n in large.items() if not name.startswith("report")}
    assert max(pages.values()) <= 15, pages
    # The large data set is large where it matters: the office's to-do, the
    # clerk's own department and the lists run to many pages.
    reviewer_waiting = todo.waiting(User.objects.get(username="large_reviewer_0")).count()
    assert reviewer_waiting > 50
    assert Proposal.objects.filter(department__code="LARGE-0007").count() > 50


def test_it_builds_what_the_services_would_have_left():
    """Counters equal their ledger (checked after every test) and the slots held;
    each open item has its one open task; approved items carry 减负备案号."""
    scale.build(departments=4, proposals=200, years=3)

    assert state_problems() == []
    # The office's to-do holds every department's items waiting at the office.
    waiting = todo.waiting(User.objects.get(username="scale_reviewer_0")).count()
    assert waiting == Proposal.objects.filter(state="office_review").count() > 0
    approved = Proposal.objects.filter(state__in=["approved", "completed", "cancelled"])
    assert approved.count() > 50
    assert not approved.filter(registry_number__isnull=True).exists()
    years = set(Proposal.objects.exclude(quota=None).values_list("quota__year", flat=True))
    assert len(years) == 3
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {"draft", "head_review", "office_review", "returned", "approved", "completed"} <= states
