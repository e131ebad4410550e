"""Exactly-K over the real stack: gunicorn with 4 worker processes, the JSON API, the database.

N clients submit N drafts at the same instant for the last K slots of a quota.
Each worker has its own connection, as separate hosts would; the row locks
(SQLite's write lock) must still hand out exactly K slots: K answers 200, the
rest 409 quota_exhausted, nothing else, and the ledger adds up.
"""

import pytest
from rest_framework.authtoken.models import Token

from quotas.services import ledger_drift
from tests.appserver import gunicorn
from tests.concurrency import run_in_threads
from tests.factory import People, reload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORKERS, CLIENTS, LAST_SLOTS = 4, 24, 5


@pytest.fixture
def server():
    with gunicorn(workers=WORKERS) as running:
        yield running


def test_it_gives_exactly_the_last_k_slots_to_n_simultaneous_api_clients(server):
    people = People(cap=LAST_SLOTS + 3)
    for _ in range(3):
        people.submitted(people.document())
    drafts = [people.document() for _ in range(CLIENTS)]
    token = Token.objects.create(user=people.clerk).key
    answers = run_in_threads(CLIENTS, lambda i: server.call(
        "POST", f"/api/v1/proposals/{drafts[i].pk}/submit/", token=token, body={"emergency": False}))

    statuses = [answer[0] if isinstance(answer, tuple) else answer for answer in answers]
    assert set(statuses) <= {200, 409}, answers
    assert statuses.count(200) == LAST_SLOTS
    assert statuses.count(409) == CLIENTS - LAST_SLOTS
    assert {body["code"] for status, body in answers if status == 409} == {"quota_exhausted"}
    quota = reload(people.quota)
    assert (quota.reserved, quota.remaining) == (LAST_SLOTS + 3, 0)
    assert ledger_drift() == []
