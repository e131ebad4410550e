"""`submit_bench.py --hot`: N clerks of one department race one quota at the deadline.

Each of the C clerks has filed D drafts beforehand (over HTTP, not timed); at
once they all submit them, back to back, against a cap of half the drafts, so
the quota trips halfway through and the rest are refused (409). Prints the
submissions' throughput and latency, whether exactly K took a slot, and how
long the quota row's lock was held: timed in the gunicorn workers from the
guarded UPDATE's return to COMMIT's return (bench/gunicorn_lock_timing.py),
and seen from PostgreSQL's side as the number of its backends waiting on a
lock (pg_stat_activity, sampled).
"""

import http.client
from collections import Counter
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import submit_bench as sb

HOT_DEPARTMENT = "B-HOT"
SAMPLE_EVERY = 0.005  # seconds between pg_stat_activity samples


def create_clerks(count: int, cap: int) -> list[str]:
    from quotas.models import Department, Kind
    from quotas.services import quota_set_cap

    dept, _ = Department.objects.get_or_create(code=HOT_DEPARTMENT, defaults={"name": "压测热点部门", "level": "city"})
    quota_set_cap(department=dept, year=sb.YEAR, kind=Kind.DOCUMENT, cap=cap)
    return [sb.clerk_token(f"bench_hot_{i:02d}", dept) for i in range(count)]


def file_drafts(port: int, tokens: list[str], per_clerk: int) -> list[list[int]]:
    drafts = [[] for _ in tokens]

    def file(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in range(per_clerk):
            status, _, data = sb.request(conn, "POST", "/api/v1/proposals/", tokens[i],
                                         {**sb.DRAFT_BODY, "title": f"截止前提交 {i}-{n}"})
            assert status == 201, data
            drafts[i].append(json.loads(data)["id"])
        conn.close()

    threads = [threading.Thread(target=file, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return drafts


def race(port: int, tokens: list[str], drafts: list[list[int]]) -> tuple[sb.Recorder, list[float], float]:
    """Every clerk submits all their drafts, starting together. Returns the
    recorder, the moments (after the start) each slot was granted, and the start."""
    recorder, granted = sb.Recorder(), []
    barrier = threading.Barrier(len(tokens) + 1)

    def clerk(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        for pk in drafts[i]:
            try:
                status, seconds, _ = sb.request(conn, "POST", f"/api/v1/proposals/{pk}/submit/", tokens[i],
                                                {"emergency": False, "justification": ""})
            except (OSError, http.client.HTTPException):
                status, seconds = 599, 0.0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            recorder.add(sb.SUBMIT, status, seconds)
            if 200 <= status < 300:
                with recorder.lock:
                    granted.append(time.monotonic())
        conn.close()

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    barrier.wait()
    started, started_wall = time.monotonic(), time.time()
    for t in threads:
        t.join()
    recorder.seconds = time.monotonic() - started
    return recorder, sorted(g - started for g in granted), started_wall


class LockWaiters(threading.Thread):
    """Samples how many of PostgreSQL's backends on this database wait on a lock."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.database_url, self.samples, self.done = database_url, [], threading.Event()

    def run(self):
        import psycopg

        parts = urlsplit(self.database_url)
        with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                             password=parts.password, dbname=parts.path.lstrip("/"), autocommit=True) as conn:
            while not self.done.is_set():
                self.samples.append(conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'").fetchone()[0])
                time.sleep(SAMPLE_EVERY)


def lock_times(log_dir: Path, since: float) -> dict[str, list[float]]:
    """Seconds each guarded UPDATE took, each lock was held, the worker's CPU
    while it held it, and the statements it ran meanwhile, from the workers' logs."""
    times = {"wait": [], "held": [], "cpu": [], "statements": []}
    for log in log_dir.glob("*.log"):
        for line in log.read_text().splitlines():
            numbers, statements = line.split("\t")
            at, took, held, cpu = map(float, numbers.split())
            if at >= since:
                times["wait"].append(took)
                times["held"].append(held)
                times["cpu"].append(cpu)
                times["statements"].append(tuple(filter(None, statements.split(";"))))
    return times


def run(args) -> int:
    cap = args.hot_cap or args.clients * args.hot_drafts // 2
    with tempfile.TemporaryDirectory() as log_dir:
        env = {**sb.server_env(args.database_url, args.workers), "JIANFU_BENCH_LOCK_LOG": log_dir}
        sb.recreate_database(args.database_url)
        tokens = sb.setup_data(env)
        clerks = create_clerks(args.clients, cap)
        port = sb.free_port()
        server = sb.start_gunicorn(env, port, config="bench/gunicorn_lock_timing.py")
        try:
            sb.run_phase("127.0.0.1", port, tokens, args.clients, 2, "pair")  # warm the workers up
            drafts = file_drafts(port, clerks, args.hot_drafts)
            sampler = LockWaiters(args.database_url)
            sampler.start()
            recorder, granted, started_wall = race(port, clerks, drafts)
            sampler.done.set()
            sampler.join()
        finally:
            sb.stop(server)
        lock = lock_times(Path(log_dir), started_wall)
    facts = sb.ledger_facts(env)
    from quotas.models import Quota

    quota = Quota.objects.get(department__code=HOT_DEPARTMENT, year=sb.YEAR)
    print_report(args, cap, recorder, granted, lock, sampler.samples, quota, facts)
    exact = quota.reserved == cap and recorder.count(sb.SUBMIT, ok=True) == cap
    return 0 if exact and facts["over_issue"] == 0 and facts["verify_ledger"] == "clean" else 1


def ms(values, q) -> str:
    return f"{sb.percentile(values, q) * 1000:.1f}" if values else "—"


def print_report(args, cap, recorder, granted, lock, waiting, quota, facts) -> None:
    total = args.clients * args.hot_drafts
    print(f"\nhot quota: {args.clients} clerks of one department, {args.hot_drafts} drafts each "
          f"({total} submissions) racing one quota of cap {cap}; {args.workers} gunicorn workers\n")
    print("\n".join(sb.request_table([recorder])))
    ok = recorder.count(sb.SUBMIT, ok=True)
    print(f"\nall {total} answered in {recorder.seconds:.2f} s = {total / recorder.seconds:.1f} submissions/s")
    if granted:
        print(f"the {ok} slots were granted in {granted[-1]:.2f} s = {ok / granted[-1]:.1f} slots/s until the quota tripped")
    exact = quota.reserved == cap and ok == cap
    print(f"exactly-K: {ok} answered 2xx, quota reserved {quota.reserved} + committed {quota.committed} "
          f"of cap {cap}: {'yes' if exact else 'NO'}; over-issue {facts['over_issue']}; "
          f"verify_ledger {facts['verify_ledger']}; verify_state {facts['verify_state']}")
    holds = lock["held"]
    print(f"\nthe quota row's lock, timed in the workers ({len(holds)} reservations):")
    print(f"| {'':<48} | p50 ms | p95 ms | p99 ms | max ms |")
    print(f"|{'-' * 50}|--------|--------|--------|--------|")
    for label, values in (("held (guarded UPDATE returned → COMMIT returned)", holds),
                          ("  of which the worker's own CPU", lock["cpu"]),
                          ("guarded UPDATE (waiting for the lock + its work)", lock["wait"])):
        top = f"{max(values) * 1000:.1f}" if values else "—"
        print(f"| {label:<48} | {ms(values, 50):>6} | {ms(values, 95):>6} | {ms(values, 99):>6} | {top:>6} |")
    if lock["statements"]:
        usual, times = Counter(lock["statements"]).most_common(1)[0]
        print(f"SQL statements run while holding it (after the guarded UPDATE, before COMMIT): {len(usual)} "
              f"in {times} of {len(lock['statements'])} reservations: {', '.join(usual) or 'none'}")
    if holds and granted:
        print(f"the row was locked {sum(holds) / granted[-1] * 100:.0f} % of the time until the quota tripped "
              f"(one lock at a time: at most {1 / (sum(holds) / len(holds)):.0f} reservations/s at this hold time)")
    if waiting:
        print(f"PostgreSQL backends waiting on a lock (pg_stat_activity, {len(waiting)} samples): "
              f"mean {sum(waiting) / len(waiting):.2f}, max {max(waiting)}")
