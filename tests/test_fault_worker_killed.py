"""A gunicorn worker killed in the middle of a submission leaves no trace.

A trigger makes the submission's audit-event INSERT sleep, so the worker is
killed after it has reserved the slot and written the ledger entry but before
its transaction commits. PostgreSQL rolls the transaction back when the
connection drops: the counter, the ledger and the proposal stay as they were.
"""

import http.client
import os
import signal
import subprocess
import threading
import time

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from approvals.models import State
from quotas.models import LedgerEntry
from quotas.services import ledger_drift
from tests.appserver import gunicorn
from tests.factory import People, reload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SLOW_SUBMIT = """
CREATE OR REPLACE FUNCTION jianfu_test_slow_submit() RETURNS trigger AS $$
BEGIN
    IF NEW.action = 'submit' THEN PERFORM pg_sleep(4); END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER jianfu_test_slow_submit BEFORE INSERT ON approvals_proposalevent
    FOR EACH ROW EXECUTE FUNCTION jianfu_test_slow_submit();
"""
DROP = """
DROP TRIGGER IF EXISTS jianfu_test_slow_submit ON approvals_proposalevent;
DROP FUNCTION IF EXISTS jianfu_test_slow_submit();
"""


def _workers_of(master_pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


@pytest.fixture
def server():
    with gunicorn(workers=4) as running:
        yield running


@pytest.fixture
def slow_submissions():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a trigger that sleeps inside the transaction)")
    with connection.cursor() as cursor:
        cursor.execute(SLOW_SUBMIT)
    yield
    with connection.cursor() as cursor:
        cursor.execute(DROP)


def test_a_worker_killed_mid_submission_leaves_counter_ledger_and_proposal_unchanged(slow_submissions, server):
    people = People()
    p = people.document()
    token = Token.objects.create(user=people.clerk).key
    outcome = {}

    def submit():
        try:
            outcome["status"] = server.call("POST", f"/api/v1/proposals/{p.pk}/submit/", token=token,
                                            body={"emergency": False})[0]
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = repr(error)

    client = threading.Thread(target=submit)
    client.start()
    time.sleep(1.5)  # the worker is now inside pg_sleep, its transaction open
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s AND state = 'active'",
                       ["%approvals_proposalevent%"])
        assert cursor.fetchone()[0] >= 1, "the submission should be waiting inside its transaction"
    for pid in _workers_of(server.process.pid):
        os.kill(pid, signal.SIGKILL)
    client.join(timeout=30)
    assert "status" not in outcome  # the connection died with the worker
    time.sleep(4)  # the backend finishes its sleep, finds the client gone and rolls back
    assert reload(p).state == State.DRAFT
    assert reload(people.quota).reserved == 0
    assert not LedgerEntry.objects.filter(proposal=p).exists()
    assert ledger_drift() == []
