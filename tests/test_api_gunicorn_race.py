"""Exactly-K over the real stack: gunicorn with 4 worker processes, the JSON API, the database.

N clients submit N drafts at the same instant for the last K slots of a quota.
Each worker has its own connection, as separate hosts would; the row locks
(SQLite's write lock) must still hand out exactly K slots: K answers 200, the
rest 409 quota_exhausted, nothing else, and the ledger adds up.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from quotas.services import ledger_drift
from tests.concurrency import database_env
from tests.factory import People, reload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
WORKERS, CLIENTS, LAST_SLOTS = 4, 24, 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    """Until a worker answers a request. The master listens before its workers have
    loaded Django, and a request sent then waits for a worker to boot: the tests that
    time what a worker is doing must not start that clock early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError("gunicorn did not answer")


@pytest.fixture
def server():
    port = _free_port()
    env = {**os.environ, **database_env(), "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "DJANGO_CONN_MAX_AGE": "0"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        _wait_until_answering(port, process)
        yield port
    finally:
        process.terminate()  # the workers' connections close before the test database goes
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _submit_all_at_once(port: int, token: str, ids: list[int]) -> list:
    barrier = threading.Barrier(len(ids))
    answers = [None] * len(ids)

    def submit(i):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.connect()
            barrier.wait(timeout=30)
            connection.request(
                "POST", f"/api/v1/proposals/{ids[i]}/submit/", body=json.dumps({"emergency": False}),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            answers[i] = (response.status, json.loads(response.read()))
            connection.close()
        except BaseException as error:  # the assertion below shows it
            answers[i] = ("error", repr(error))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def test_it_gives_exactly_the_last_k_slots_to_n_simultaneous_api_clients(server):
    people = People(cap=LAST_SLOTS + 3)
    for _ in range(3):
        people.submitted(people.document())
    drafts = [people.document() for _ in range(CLIENTS)]
    token = Token.objects.create(user=people.clerk).key
    answers = _submit_all_at_once(server, token, [d.pk for d in drafts])

    statuses = [status for status, _body in answers]
    assert sorted(set(map(str, statuses))) <= ["200", "409"], answers
    assert statuses.count(200) == LAST_SLOTS
    assert statuses.count(409) == CLIENTS - LAST_SLOTS
    assert {body["code"] for status, body in answers if status == 409} == {"quota_exhausted"}
    quota = reload(people.quota)
    assert (quota.reserved, quota.remaining) == (LAST_SLOTS + 3, 0)
    assert ledger_drift() == []
