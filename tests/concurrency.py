"""Helpers that start many submitters at the same instant (threads or processes)."""

import io
import multiprocessing
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from tests import concurrency_child


def database_env() -> dict:
    """Environment that points a fresh process at the test database."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            USER=settings["USER"] or "postgres", HOST=settings["HOST"] or "127.0.0.1",
            PORT=settings["PORT"] or 5432, NAME=settings["NAME"],
        )
        return {"DATABASE_URL": url}
    return {"DATABASE_URL": "", "SQLITE_PATH": str(settings["NAME"])}


def assert_verified() -> None:
    """After a race: `manage.py verify_ledger` and `verify_state` exit 0 (counters
    equal their ledger; every open proposal has its task; the counters equal the
    slots proposals hold)."""
    for command in ("verify_ledger", "verify_state"):
        out = io.StringIO()
        try:
            call_command(command, stdout=out)
        except SystemExit as exit:
            pytest.fail(f"{command} exited with {exit.code}:\n{out.getvalue()}")


def run_in_threads(n: int, work) -> list:
    """Run work(i) in n threads released together by a barrier; return results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # recorded, the test inspects it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def reserve_in_processes(*, processes: int, per_process: int, quota_id: int, user_id: int) -> list:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    queue = ctx.Queue()
    env = database_env()
    procs = [
        ctx.Process(target=concurrency_child.reserve, args=(env, barrier, queue, quota_id, user_id, per_process))
        for _ in range(processes)
    ]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return [o for outcome in outcomes for o in outcome]

