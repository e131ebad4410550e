"""Load benchmark: clerks file and submit proposals through the API, at once.

    .venv/bin/python bench/submit_bench.py [--workers 4] [--clients 16] [--seconds 15] [--slices 3] [--one-request]
    .venv/bin/python bench/submit_bench.py --callgrind [--requests 10] [--repeat 2]
    .venv/bin/python bench/submit_bench.py --hot [--clients 16] [--hot-drafts 20]

Default: starts gunicorn (W sync workers) on PostgreSQL (a database of its own,
`jianfuzha_bench`, recreated each run), gives half the departments small caps
and half ample ones, then C client threads file (POST /api/v1/proposals/) and
submit (POST …/submit/) for T seconds over loopback — or, with --one-request,
file and submit in one request (POST /api/v1/proposals/?submit=1). Then the
same clients run the same load against two baselines on the same stack: an
endpoint that only inserts one row, and an authenticated read
(GET /api/v1/departments/) — the three phases in slices that take turns, so
that a shared machine's changing load weighs on them alike. Prints throughput,
latency percentiles, status counts, over-issue, verify_ledger and verify_state,
the ratios, and whether each of the targets is met.

--callgrind counts instructions per request in one process (bench/instructions.py);
--hot races N clerks of one department for one quota (bench/hot_quota.py).
Pass --url to aim at a server you started yourself (its database must hold the
data this script creates, against the same DATABASE_URL, and it must run with
JIANFU_BENCH_BASELINE=1).
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SMALL_CAP, AMPLE_CAP, DEPARTMENTS = 5, 1_000_000, 12
YEAR = 2031  # far from the demo's years

FILE, SUBMIT, ONE_REQUEST = "file (create draft)", "submit", "file+submit (?submit=1)"
BASELINE, READ = "baseline insert", "authenticated read"
FILED_SUBMITTED = "filed+submitted"  # one file + one submit, or one ?submit=1 request, answered 2xx or 409
DRAFT_BODY = {"kind": "document", "title": "压测文件", "necessity": "压测", "planned_date": f"{YEAR}-03-10",
              "target_levels": ["township"], "doc_type": "notice", "length_chars": 1000}

# The issue's targets on the 2-core machine.
TARGET_RATE, TARGET_P99_MS, TARGET_CLIENTS = 150, 250, 16
TARGET_VS_READ, TARGET_VS_INSERT = 3, 2


def server_env(database_url: str, workers: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0", "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_CONN_MAX_AGE": "600", "JIANFU_BENCH_BASELINE": "1",
        "GUNICORN_WORKERS": str(workers), "GUNICORN_ACCESS_LOG": "/dev/null",
    }


def recreate_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_data(env: dict) -> dict:
    """Migrate and create departments, quotas, clerks and tokens. Returns tokens by department."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from config.bench import create_table
    from quotas.models import Department, Kind, MeetingFreeRule
    from quotas.roles import ensure_roles
    from quotas.services import quota_set_cap

    ensure_roles()
    create_table()
    MeetingFreeRule.objects.all().delete()
    tokens = {}
    for i in range(DEPARTMENTS):
        cap = SMALL_CAP if i % 2 == 0 else AMPLE_CAP
        dept, _ = Department.objects.get_or_create(code=f"B-{i:02d}", defaults={"name": f"压测部门{i:02d}", "level": "city"})
        quota_set_cap(department=dept, year=YEAR, kind=Kind.DOCUMENT, cap=cap)
        tokens[dept.code] = clerk_token(f"bench_clerk_{i:02d}", dept)
    return tokens


def clerk_token(username: str, department) -> str:
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from quotas.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"department": department})
    user.groups.add(Group.objects.get(name="clerk"))
    return Token.objects.get_or_create(user=user)[0].key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, config: str = "config/gunicorn.conf.py") -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", config, "--bind", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen | None) -> None:
    if server is not None:
        server.terminate()
        server.wait(timeout=30)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[int, int]] = {}
        self.seconds = 0.0

    def add(self, what: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(what, []).append(seconds)
            counts = self.statuses.setdefault(what, {})
            counts[status] = counts.get(status, 0) + 1

    def count(self, what: str, *, ok=False, conflict=False, errors=False) -> int:
        statuses = self.statuses.get(what, {})
        return sum(n for s, n in statuses.items()
                   if (ok and 200 <= s < 300) or (conflict and s == 409) or (errors and s >= 500))

    def merge(self, other: "Recorder") -> None:
        for what, values in other.latencies.items():
            self.latencies.setdefault(what, []).extend(values)
        for what, counts in other.statuses.items():
            mine = self.statuses.setdefault(what, {})
            for status, n in counts.items():
                mine[status] = mine.get(status, 0) + n
        self.seconds += other.seconds

    def rate(self, what: str) -> float:
        return len(self.latencies.get(what, [])) / self.seconds if self.seconds else 0.0


def request(conn, method, path, token, body=None):
    payload = None if body is None else json.dumps(body)
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
    if payload is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    conn.request(method, path, payload, headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, time.perf_counter() - started, data


def file_and_submit(conn, token, recorder, title) -> None:
    """One filed+submitted in two requests: the draft, then its submission."""
    status, seconds, data = request(conn, "POST", "/api/v1/proposals/", token, {**DRAFT_BODY, "title": title})
    recorder.add(FILE, status, seconds)
    if status != 201:
        return
    pk = json.loads(data)["id"]
    status, seconds, _ = request(conn, "POST", f"/api/v1/proposals/{pk}/submit/", token,
                                 {"emergency": False, "justification": ""})
    recorder.add(SUBMIT, status, seconds)
    if status == 409 or 200 <= status < 300:
        recorder.add(FILED_SUBMITTED, status, 0.0)


def file_submitting(conn, token, recorder, title) -> None:
    """One filed+submitted in one request."""
    status, seconds, _ = request(conn, "POST", "/api/v1/proposals/?submit=1", token, {**DRAFT_BODY, "title": title})
    recorder.add(ONE_REQUEST, status, seconds)
    if status == 409 or 200 <= status < 300:
        recorder.add(FILED_SUBMITTED, status, 0.0)


def one_step(mode: str, conn, token, recorder, title) -> None:
    if mode == "baseline":
        status, seconds, _ = request(conn, "POST", "/api/v1/bench/baseline/", token, {"note": "x"})
        recorder.add(BASELINE, status, seconds)
    elif mode == "read":
        status, seconds, _ = request(conn, "GET", "/api/v1/departments/", token)
        recorder.add(READ, status, seconds)
    elif mode == "one-request":
        file_submitting(conn, token, recorder, title)
    else:
        file_and_submit(conn, token, recorder, title)


def client_loop(host, port, tokens, index, deadline, recorder, mode):
    codes = sorted(tokens)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    n = 0
    while time.monotonic() < deadline:
        token = tokens[codes[(index + n) % len(codes)]]
        n += 1
        try:
            one_step(mode, conn, token, recorder, f"压测文件 {index}-{n}")
        except (OSError, http.client.HTTPException):
            recorder.add(f"{mode}: connection error", 599, 0.0)
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.close()


def run_phase(host, port, tokens, clients, seconds, mode) -> Recorder:
    recorder = Recorder()
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(host, port, tokens, i, deadline, recorder, mode))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.seconds = time.monotonic() - started
    return recorder


def one_request_supported(host, port, token) -> tuple[bool, str]:
    """Does the server file and submit in one request? An older one answers 400 or
    404, or files a draft and ignores ?submit=1: then say why."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        status, _, data = request(conn, "POST", "/api/v1/proposals/?submit=1", token,
                                  {**DRAFT_BODY, "title": "压测：一次提交探测"})
    finally:
        conn.close()
    if not 200 <= status < 300:
        return False, f"the server answered {status} to POST /api/v1/proposals/?submit=1"
    state = json.loads(data).get("state")
    if state == "draft":
        return False, "the server filed a draft and ignored ?submit=1"
    return True, f"?submit=1 answered {status}, state {state}"


def percentile(values, q):
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def manage_check(env, command) -> str:
    result = subprocess.run([sys.executable, "manage.py", command], cwd=ROOT, env=env, capture_output=True, text=True)
    return "clean" if result.returncode == 0 else "PROBLEMS: " + result.stdout.strip()[-300:]


def issue_counts() -> dict:
    """Quotas over-issued, and under-issued: exactly-K also fails when an attempt
    was refused (a `blocked` ledger entry) while its quota still had a free slot
    (confirmed flags use slots too: they trip the breaker)."""
    from django.db.models import F

    from quotas.models import LedgerAction, Quota

    tripped = Quota.objects.filter(entries__action=LedgerAction.BLOCKED).distinct()
    return {
        "over_issue": Quota.objects.filter(reserved__gt=F("cap") - F("committed")).count(),
        "under_issue": tripped.filter(reserved__lt=F("cap") - F("committed") - F("flagged")).count(),
        "tripped": tripped.count(),
    }


def ledger_facts(env) -> dict:
    return {**issue_counts(), "verify_ledger": manage_check(env, "verify_ledger"),
            "verify_state": manage_check(env, "verify_state")}


def request_table(recorders) -> list[str]:
    lines = [f"| {'request':<24} | {'count':>6} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
             f"| {'2xx':>6} | {'409':>5} | {'5xx':>4} | other |",
             f"|{'-' * 26}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 7}|{'-' * 6}|-------|"]
    for recorder in recorders:
        for what, values in recorder.latencies.items():
            if what == FILED_SUBMITTED:
                continue
            ok, conflict = recorder.count(what, ok=True), recorder.count(what, conflict=True)
            errors = recorder.count(what, errors=True)
            lines.append(
                f"| {what:<24} | {len(values):>6} | {recorder.rate(what):>7.1f} | {percentile(values, 50) * 1000:>7.1f} | "
                f"{percentile(values, 95) * 1000:>7.1f} | {percentile(values, 99) * 1000:>7.1f} | {ok:>6} | "
                f"{conflict:>5} | {errors:>4} | {len(values) - ok - conflict - errors:>5} |")
    return lines


def target_rows(load: Recorder, base: Recorder, read: Recorder, facts: dict, clients: int) -> list[tuple]:
    """(what, target, measured, met?) for each target of the issue and each guarantee."""
    rate = load.rate(FILED_SUBMITTED)
    kinds = [k for k in (FILE, SUBMIT, ONE_REQUEST) if k in load.latencies]
    p99 = max((percentile(load.latencies[k], 99) * 1000 for k in kinds), default=float("nan"))
    at = "" if clients == TARGET_CLIENTS else f" (ran at {clients} clients)"
    vs_read = read.rate(READ) / rate if rate else float("inf")
    vs_insert = base.rate(BASELINE) / rate if rate else float("inf")
    errors = sum(r.count(k, errors=True) for r in (load, base, read) for k in r.statuses)
    yes = {True: "yes", False: "NO"}
    return [
        ("filed+submitted/s", f"≥ {TARGET_RATE} at {TARGET_CLIENTS} clients", f"{rate:.1f}{at}",
         yes[rate >= TARGET_RATE and clients == TARGET_CLIENTS] if not at else "n/a"),
        ("p99 of its requests", f"< {TARGET_P99_MS} ms", f"{p99:.0f} ms", yes[p99 < TARGET_P99_MS]),
        ("÷ authenticated read (HTTP time per op)", f"≤ {TARGET_VS_READ}×", f"{vs_read:.2f}×",
         yes[vs_read <= TARGET_VS_READ]),
        ("÷ one-row insert (HTTP time per op)", f"by instructions ≤ {TARGET_VS_INSERT}×: --callgrind",
         f"{vs_insert:.2f}×", "see --callgrind"),
        ("over-issue (reserved + committed > cap)", "0", str(facts["over_issue"]), yes[facts["over_issue"] == 0]),
        (f"refused with a slot free ({facts['tripped']} quotas tripped)", "0", str(facts["under_issue"]),
         yes[facts["under_issue"] == 0]),
        ("5xx and connection errors", "0", str(errors), yes[errors == 0]),
        ("verify_ledger", "clean", facts["verify_ledger"], yes[facts["verify_ledger"] == "clean"]),
        ("verify_state", "clean", facts["verify_state"], yes[facts["verify_state"] == "clean"]),
    ]


def print_targets(rows) -> None:
    header = ("", "target", "measured", "target met?")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)) + " |")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15, help="per phase")
    parser.add_argument("--slices", type=int, default=3,
                        help="each phase runs in this many slices, taking turns with the others")
    parser.add_argument("--one-request", action="store_true",
                        help="file and submit in one request (POST /api/v1/proposals/?submit=1)")
    parser.add_argument("--callgrind", action="store_true", help="instructions per request, in one process")
    parser.add_argument("--requests", type=int, default=10, help="--callgrind: measured requests of each kind")
    parser.add_argument("--warmup", type=int, default=5, help="--callgrind: warm-up requests of each kind")
    parser.add_argument("--repeat", type=int, default=2, help="--callgrind: runs, to show the count repeats")
    parser.add_argument("--hot", action="store_true", help="N clerks of one department race one quota")
    parser.add_argument("--hot-drafts", type=int, default=20, help="--hot: drafts each clerk submits")
    parser.add_argument("--hot-cap", type=int, help="--hot: the quota's cap (default: half the drafts)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jianfuzha_bench"))
    parser.add_argument("--url", help="target a running server instead of starting gunicorn")
    return parser.parse_args(argv)


def run_load(args) -> int:
    env = server_env(args.database_url, args.workers)
    if not args.url:
        recreate_database(args.database_url)
    tokens = setup_data(env)
    server = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname, parts.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        server = start_gunicorn(env, port)
    try:
        mode = "pair"
        if args.one_request:
            supported, why = one_request_supported(host, port, tokens[sorted(tokens)[1]])
            mode = "one-request" if supported else "pair"
            print(why if supported else f"--one-request: {why}; falling back to file + submit in two requests")
        run_phase(host, port, tokens, args.clients, 2, mode)  # warm-up, not counted
        # Interleaved slices: a shared machine's load then weighs on all three alike.
        load, base, read = Recorder(), Recorder(), Recorder()
        for _ in range(args.slices):
            for recorder, phase in ((load, mode), (base, "baseline"), (read, "read")):
                recorder.merge(run_phase(host, port, tokens, args.clients, args.seconds / args.slices, phase))
    finally:
        stop(server)
    facts = ledger_facts(env)

    print(f"\n{args.workers} gunicorn workers, {args.clients} clients, {args.seconds:.0f} s per phase "
          f"(in {args.slices} slices taking turns), "
          f"{DEPARTMENTS} departments (half cap {SMALL_CAP}, half ample), "
          f"{'one request' if mode == 'one-request' else 'file + submit'} per filed+submitted\n")
    print("\n".join(request_table([load, base, read])))
    done = len(load.latencies.get(FILED_SUBMITTED, []))
    print(f"\nfiled+submitted: {done} in {load.seconds:.1f} s = {load.rate(FILED_SUBMITTED):.1f}/s "
          f"({load.count(FILED_SUBMITTED, ok=True)} took a slot, {load.count(FILED_SUBMITTED, conflict=True)} "
          f"refused 409 at a full quota)\n")
    rows = target_rows(load, base, read, facts, args.clients)
    print_targets(rows)
    return 0 if all(met != "NO" for *_, met in rows[4:]) else 1


def main(argv=None):
    args = parse_args(argv)
    if args.callgrind:
        sys.path.insert(0, str(ROOT / "bench"))
        import instructions

        return instructions.run(args)
    if args.hot:
        sys.path.insert(0, str(ROOT / "bench"))
        import hot_quota

        return hot_quota.run(args)
    return run_load(args)


if __name__ == "__main__":
    sys.exit(main())
