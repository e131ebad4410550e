"""At a province's scale (500 departments × 20,000 proposals) the to-do and the
lists cost a constant, small number of queries per page (issue 12: ≤ 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import scale, todo
from approvals.models import Proposal
from quotas.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.single_db("sqlite")]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_to_do_and_lists_cost_at_most_15_queries_a_page(people, client):
    scale.build(departments=500, proposals=20000)
    counts = {}
    for who in ["scale_head_7", "scale_clerk_7", "reviewer", "leader", "auditor"]:
        user = User.objects.get(username=who) if who.startswith("scale") else getattr(people, who)
        client.force_login(user)
        deep = "?page=40" if not who.startswith("scale") else ""
        for url in ["/proposals/todo/", "/proposals/todo/?tab=done", "/proposals/todo/?tab=mine",
                    "/proposals/", f"/proposals/{deep}", "/api/v1/tasks/", "/api/v1/proposals/", "/"]:
            counts[who, url] = _queries(client, url)
    assert max(counts.values()) <= 15, counts
    # The reviewer's to-do holds every department's items waiting at the office.
    waiting = todo.waiting(people.reviewer).count()
    assert waiting == Proposal.objects.filter(state="office_review").exclude(department=people.office).count()
    assert waiting > 1000
