"""Load benchmark: clerks file and submit proposals through the API, at once.

    .venv/bin/python bench/submit_bench.py [--workers 4] [--clients 16] [--seconds 15]

Starts gunicorn (W sync workers) on PostgreSQL (a database of its own,
`jianfuzha_bench`, recreated each run), gives half the departments small caps
and half ample ones, then C client threads file (POST /api/v1/proposals/) and
submit (POST …/submit/) for T seconds over loopback. Then the same clients
POST a baseline endpoint on the same stack that only inserts one row. Prints
throughput, latency percentiles, status counts, over-issue and verify_ledger,
and the ratio between the gatekeeper's submission and the baseline insert.
Pass --url to aim at a server you started yourself (its database must hold the
data this script creates: use --setup-only against the same DATABASE_URL first).
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
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from config.bench import create_table
    from quotas.models import Department, Kind, MeetingFreeRule, User
    from quotas.roles import ensure_roles
    from quotas.services import quota_set_cap

    ensure_roles()
    create_table()
    MeetingFreeRule.objects.all().delete()
    clerk_group = Group.objects.get(name="clerk")
    tokens = {}
    for i in range(DEPARTMENTS):
        cap = SMALL_CAP if i % 2 == 0 else AMPLE_CAP
        dept, _ = Department.objects.get_or_create(code=f"B-{i:02d}", defaults={"name": f"压测部门{i:02d}", "level": "city"})
        quota_set_cap(department=dept, year=YEAR, kind=Kind.DOCUMENT, cap=cap)
        user, _ = User.objects.get_or_create(username=f"bench_clerk_{i:02d}", defaults={"department": dept})
        user.groups.add(clerk_group)
        tokens[dept.code] = Token.objects.get_or_create(user=user)[0].key
    return tokens


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "config.wsgi"],
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


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[int, int]] = {}

    def add(self, what: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(what, []).append(seconds)
            counts = self.statuses.setdefault(what, {})
            counts[status] = counts.get(status, 0) + 1


def request(conn, method, path, token, body):
    payload = json.dumps(body)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"}
    started = time.perf_counter()
    conn.request(method, path, payload, headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, time.perf_counter() - started, data


def client_loop(host, port, tokens, index, deadline, recorder, mode):
    codes = sorted(tokens)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    n = 0
    while time.monotonic() < deadline:
        code = codes[(index + n) % len(codes)]
        token = tokens[code]
        n += 1
        try:
            if mode == "baseline":
                status, seconds, _ = request(conn, "POST", "/api/v1/bench/baseline/", token, {"note": "x"})
                recorder.add("baseline insert", status, seconds)
                continue
            status, seconds, data = request(conn, "POST", "/api/v1/proposals/", token, {
                "kind": "document", "title": f"压测文件 {index}-{n}", "necessity": "压测",
                "planned_date": f"{YEAR}-03-10", "target_levels": ["township"], "doc_type": "notice",
                "length_chars": 1000,
            })
            recorder.add("file (create draft)", status, seconds)
            if status != 201:
                continue
            pk = json.loads(data)["id"]
            status, seconds, _ = request(conn, "POST", f"/api/v1/proposals/{pk}/submit/", token,
                                         {"emergency": False, "justification": ""})
            recorder.add("submit", status, seconds)
        except (OSError, http.client.HTTPException):
            recorder.add(mode, 599, 0.0)
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.close()


def run_phase(host, port, tokens, clients, seconds, mode) -> tuple[Recorder, float]:
    recorder = Recorder()
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(host, port, tokens, i, deadline, recorder, mode))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return recorder, time.monotonic() - started


def percentile(values, q):
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def over_issue_and_ledger(env) -> tuple[int, str]:
    from django.db.models import F

    from quotas.models import Quota

    over = Quota.objects.filter(reserved__gt=F("cap") - F("committed")).count()
    result = subprocess.run([sys.executable, "manage.py", "verify_ledger"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    return over, ("clean" if result.returncode == 0 else "DRIFT: " + result.stdout.strip()[-200:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jianfuzha_bench"))
    parser.add_argument("--url", help="target a running server instead of starting gunicorn")
    args = parser.parse_args()

    env = server_env(args.database_url, args.workers)
    if not args.url:
        recreate_database(args.database_url)
    tokens = setup_data(env)
    server = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname, parts.port or 80
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        host = "127.0.0.1"
        server = start_gunicorn(env, port)
    try:
        run_phase(host, port, tokens, args.clients, 2, "submit")  # warm-up, not counted
        load, load_seconds = run_phase(host, port, tokens, args.clients, args.seconds, "submit")
        base, base_seconds = run_phase(host, port, tokens, args.clients, args.seconds, "baseline")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    over, ledger = over_issue_and_ledger(env)

    print(f"\n{args.workers} gunicorn workers, {args.clients} clients, {args.seconds:.0f} s per phase, "
          f"{DEPARTMENTS} departments (half cap {SMALL_CAP}, half ample)\n")
    print(f"| {'request':<20} | {'count':>6} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'2xx':>6} | {'409':>5} | {'5xx':>4} | other |")
    print(f"|{'-' * 22}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 7}|{'-' * 6}|-------|")
    rates = {}
    for recorder, seconds in ((load, load_seconds), (base, base_seconds)):
        for what, values in recorder.latencies.items():
            statuses = recorder.statuses[what]
            ok = sum(c for s, c in statuses.items() if 200 <= s < 300)
            conflict = statuses.get(409, 0)
            errors = sum(c for s, c in statuses.items() if s >= 500)
            other = len(values) - ok - conflict - errors
            rates[what] = len(values) / seconds
            print(f"| {what:<20} | {len(values):>6} | {rates[what]:>7.1f} | {percentile(values, 50) * 1000:>7.1f} | "
                  f"{percentile(values, 95) * 1000:>7.1f} | {percentile(values, 99) * 1000:>7.1f} | {ok:>6} | "
                  f"{conflict:>5} | {errors:>4} | {other:>5} |")
    submit_rate = rates.get("submit", 0)
    base_rate = rates.get("baseline insert", 0)
    print(f"\nover-issue (quotas with reserved + committed > cap): {over}")
    print(f"verify_ledger: {ledger}")
    if submit_rate and base_rate:
        # Each filed submission costs two requests (create draft, submit).
        print(f"baseline inserts/s ÷ submissions/s (file + submit): {base_rate / submit_rate:.2f}×")
        mean_submit = statistics.mean(load.latencies["submit"])
        mean_base = statistics.mean(base.latencies["baseline insert"])
        print(f"mean latency, submit ÷ baseline insert: {mean_submit / mean_base:.2f}×")


if __name__ == "__main__":
    main()
