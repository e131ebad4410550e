"""The load benchmark's own parts (bench/): what it counts as exactly-K, the
timer it puts on the quota row's lock, and how --callgrind reads its counts.

The benchmark itself (a recreated database, migrate, gunicorn, four timed
phases; valgrind for --callgrind) takes minutes, so the suite does not run it.
"""

import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from approvals.models import Proposal
from approvals.services import QuotaRefused
from quotas.services import quota_record_blocked
from tests.factory import reload

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import gunicorn_lock_timing  # noqa: E402
import instructions  # noqa: E402
import submit_bench  # noqa: E402


@pytest.mark.django_db
@pytest.mark.people(cap=2)
def test_it_counts_a_refusal_while_a_slot_was_free_as_under_issue(people):
    people.submitted(people.document())
    quota_record_blocked(quota=people.quota, source=people.document(), by=people.clerk)

    assert submit_bench.issue_counts() == {"over_issue": 0, "under_issue": 1, "tripped": 1}


@pytest.mark.django_db
@pytest.mark.people(cap=2)
def test_it_counts_a_quota_filled_to_its_cap_before_refusing_as_exact(people):
    for _ in range(2):
        people.submitted(people.document())
    with pytest.raises(QuotaRefused):
        people.submitted(people.document())

    assert submit_bench.issue_counts() == {"over_issue": 0, "under_issue": 0, "tripped": 1}


@pytest.mark.django_db(transaction=True)  # the timer ends at the worker's real COMMIT
@pytest.mark.people(cap=1)
@pytest.mark.single_db("postgresql")  # the row lock it times is PostgreSQL's (SQLite locks the file)
@pytest.mark.slow
def test_the_lock_timer_logs_each_reservation_until_its_commit_and_no_refusal(people, tmp_path, monkeypatch):
    monkeypatch.setenv("JIANFU_BENCH_LOCK_LOG", str(tmp_path))
    drafts = [people.document(), people.document()]
    wrappers = list(connection.execute_wrappers)
    gunicorn_lock_timing.post_fork(server=None, worker=None)
    try:
        people.submitted(drafts[0])
        with pytest.raises(QuotaRefused):
            people.submitted(drafts[1])
        with transaction.atomic(), connection.cursor() as cursor:  # a statement after the lock is taken
            cursor.execute('UPDATE "quotas_quota" SET cap = cap WHERE id = %s', [people.quota.pk])
            Proposal.objects.count()
    finally:
        connection.execute_wrappers[:] = wrappers
        del connection.commit, connection.rollback  # the class's own again

    assert reload(people.quota).reserved == 1
    lines = sorted(line.split("\t") for log in tmp_path.glob("*.log") for line in log.read_text().splitlines())
    assert len(lines) == 2, lines  # the reservation and the UPDATE by hand; not the refusal
    for numbers, _statements in lines:
        _at, took, held, cpu = map(float, numbers.split())
        assert took > 0 and held > 0 and 0 <= cpu
    # Until COMMIT: the statement after the UPDATE counts, nothing run after COMMIT
    # (the submission's on_commit notices) does.
    assert lines[1][1] == "SELECT approvals_proposal"
    assert "notification" not in lines[0][1], lines[0][1]


def test_the_quota_update_pattern_finds_the_guarded_update_also_in_a_cte():
    assert gunicorn_lock_timing.QUOTA_UPDATE.search(
        'UPDATE "quotas_quota" SET reserved = reserved + 1 WHERE id = 3 RETURNING cap')
    assert gunicorn_lock_timing.QUOTA_UPDATE.search(
        'WITH slot AS (UPDATE quotas_quota SET reserved = reserved + 1 WHERE id = 3 RETURNING id) SELECT 1')
    assert not gunicorn_lock_timing.QUOTA_UPDATE.search('UPDATE "quotas_quotachange" SET note = 1')
    assert not gunicorn_lock_timing.QUOTA_UPDATE.search('SELECT * FROM "quotas_quota" FOR UPDATE')


def test_it_names_a_statement_by_its_verb_and_table_only():
    head = gunicorn_lock_timing.head
    assert head('SELECT (1) AS "a" FROM "viewflow_task" WHERE "viewflow_task"."id" = 3') == "SELECT viewflow_task"
    assert head('INSERT INTO "quotas_ledgerentry" ("quota_id") VALUES (1)') == "INSERT quotas_ledgerentry"
    assert head('SAVEPOINT "s1404_x13"') == "SAVEPOINT"


def test_the_client_requests_do_nothing_outside_valgrind():
    assert instructions.ClientRequests()(instructions.RUNNING_ON_VALGRIND) == 0


def test_it_reads_each_dumped_part_by_its_label(tmp_path):
    out = tmp_path / "callgrind.out"
    out.write_text("desc: Trigger: Program termination\nsummary: 0\ntotals: 0\n")
    (tmp_path / "callgrind.out.1").write_text(
        "version: 1\npart: 1\ndesc: Trigger: Client Request: submit\nevents: Ir\nsummary: 420\ntotals: 420\n")
    (tmp_path / "callgrind.out.2").write_text(
        "part: 2\ndesc: Trigger: Client Request: baseline insert\nsummary: 42\ntotals: 42\n")

    assert instructions.read_parts(out) == {"submit": 420, "baseline insert": 42}
