"""Several app hosts on one database (issue 18, item 5): the README says any number
of hosts may share PostgreSQL, and the row locks keep the ledger right across them.

Two gunicorn instances, each in a network namespace of its own (another host, as
far as the network can tell) with its own workers and their own database
connections kept open, reach PostgreSQL over their own link. Clients file and
submit (in two requests, or in one with ?submit=1) through both at once for
the last K slots of a quota: exactly K win,
the rest are refused with quota_exhausted, and the ledger and the state verify.
"""

import subprocess
import sys
from collections import Counter
from contextlib import ExitStack

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests import netns
from tests.appserver import file_and_submit, gunicorns
from tests.concurrency import assert_verified, run_in_threads
from tests.factory import People, reload
from tests.tcp_relay import relay

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.single_db("postgresql")]

HOSTS, WORKERS_PER_HOST, CLIENTS, LAST_SLOTS = 2, 2, 24, 6
PORT = 8000  # each host has its own ports


@pytest.fixture
def app_hosts():
    """[(host, server)]: gunicorn running on each host against the test database."""
    reason = netns.unavailable()
    if reason:
        pytest.skip(f"needs network namespaces for the app hosts: {reason}")
    database = connection.settings_dict
    target = (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    with netns.hosts(HOSTS) as hosts, ExitStack() as running:
        options = []
        for host in hosts:
            port = running.enter_context(relay(listen=host.gateway, target=target))
            # Each worker keeps its connection (the host's pool), named after the host.
            url = f"postgres://{credentials}@{host.gateway}:{port}/{database['NAME']}?application_name={host.name}"
            options.append(dict(workers=WORKERS_PER_HOST, host=host.address, port=PORT, wrapper=host.run,
                                env={"DATABASE_URL": url, "DJANGO_CONN_MAX_AGE": "600"}))
        servers = running.enter_context(gunicorns(*options))
        yield list(zip(hosts, servers))


def _reaches(host: netns.Host, address: str, port: int) -> bool:
    probe = f"import socket; socket.create_connection(({address!r}, {port}), timeout=2)"
    return subprocess.run([*host.run, sys.executable, "-c", probe], capture_output=True).returncode == 0


def _connections_by_host() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT application_name, count(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() GROUP BY application_name")
        return dict(cursor.fetchall())


def test_two_hosts_give_out_exactly_the_last_k_slots_to_clients_racing_through_both(app_hosts):
    database = connection.settings_dict
    for host, server in app_hosts:
        assert netns.namespace_of(server.process.pid) == host.name
        # Another host: the machine's loopback (where PostgreSQL listens) is out of its reach.
        assert not _reaches(host, "127.0.0.1", int(database["PORT"] or 5432))
    people = People(cap=LAST_SLOTS + 3)
    for _ in range(3):
        people.submitted(people.document())
    token = Token.objects.create(user=people.clerk).key

    answers = run_in_threads(CLIENTS, lambda i: file_and_submit(
        app_hosts[i % HOSTS][1], token, one_request=i // HOSTS % 2 == 1))

    assert all(isinstance(answer, tuple) for answer in answers), answers
    outcomes = Counter((status, body.get("code")) for status, body in answers)
    assert outcomes == {(200, None): LAST_SLOTS, (409, "quota_exhausted"): CLIENTS - LAST_SLOTS}, answers
    # Both hosts did their work through connections of their own, kept open.
    pools = _connections_by_host()
    assert all(1 <= pools.get(host.name, 0) <= WORKERS_PER_HOST for host, _ in app_hosts), pools
    quota = reload(people.quota)
    assert (quota.reserved, quota.remaining) == (LAST_SLOTS + 3, 0)
    assert_verified()
