"""Province-scale pages: how long each page takes and how many queries it costs.

    .venv/bin/python bench/pages_bench.py [--database-url postgres://…/jianfuzha_pages | --sqlite DIR]
                                          [--departments 500] [--proposals 20000] [--years 3]
                                          [--repeat 20] [--rebuild]

Builds the scale data (approvals.scale, the same as `manage.py load_scale`) in a
database of its own — PostgreSQL by default (`jianfuzha_pages`), or SQLite files
under DIR — and reuses it on the next run when its size matches. A second, small
database (20 departments × 800 proposals) gets the same pages, to show that the
query count of a page does not grow with the data.

Then, in one process with Django's test client (a single client, no HTTP
server, production settings with DEBUG off), each page is requested once to
warm up, once to count its queries, then `--repeat` times to time it; the
report's data gathering (reports.figures.collect, without WeasyPrint) likewise. Prints
p50/p95 in ms and the query counts at both sizes, and marks a page that misses
the targets (p95 < 300 ms, ≤ 15 queries, the same count at both sizes).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jianfuzha_pages"
SMALL = {"departments": 20, "proposals": 800}
P95_TARGET_MS, QUERY_TARGET = 300, 15


# --- the parent: one child process per data size -------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sqlite", metavar="DIR", help="use SQLite databases in DIR instead of PostgreSQL")
    parser.add_argument("--departments", type=int, default=500)
    parser.add_argument("--proposals", type=int, default=20000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if it is there")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)))
        return
    large = {"departments": args.departments, "proposals": args.proposals}
    results = {name: spawn(args, name, size) for name, size in [("large", large), ("small", SMALL)]}
    report(args, results)


def spawn(args, name: str, size: dict) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DJANGO_DEBUG": "0"}
    if args.sqlite:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(Path(args.sqlite).resolve() / f"pages-{name}.sqlite3")
    else:
        url = urlsplit(args.database_url)
        env["DATABASE_URL"] = url._replace(path=url.path + ("" if name == "large" else "_small")).geturl()
        env["DJANGO_CONN_MAX_AGE"] = "600"
    command = [sys.executable, __file__, "--child", name, "--departments", str(size["departments"]),
               "--proposals", str(size["proposals"]), "--years", str(args.years), "--repeat", str(args.repeat)]
    if args.rebuild:
        command.append("--rebuild")
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(args, results: dict) -> None:
    large, small = results["large"], results["small"]
    where = f"SQLite ({args.sqlite})" if args.sqlite else "PostgreSQL"
    print(f"{where}: {large['size']}; small: {small['size']}; {args.repeat} timed requests a page")
    for result in (large, small):
        if result.get("built_in"):
            print(f"built {result['size']} in {result['built_in']:.1f} s")
    print()
    print("| page | as | p50 ms | p95 ms | queries | queries (small data) |")
    print("|---|---|---|---|---|---|")
    counts_small = {row["name"]: row["queries"] for row in small["pages"]}
    misses = []
    for row in large["pages"]:
        other = counts_small.get(row["name"])
        problems = [what for what, bad in [
            ("p95", row["p95"] >= P95_TARGET_MS), ("queries", row["queries"] > QUERY_TARGET),
            ("grows", other is not None and other != row["queries"])] if bad]
        if problems:
            misses.append(f"{row['name']}: {', '.join(problems)}")
        print(f"| {row['page']} | {row['who']} | {row['p50']:.0f} | {row['p95']:.0f} | {row['queries']} | "
              f"{other if other is not None else '–'} |")
    print()
    print("targets missed: " + ("; ".join(misses) if misses else "none"))


# --- the child: one database, its data, the timings ----------------------------------

def run_child(args) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_INSECURE_DEV_KEY", "1")
    warnings.filterwarnings("ignore", "No directory at")  # static files are not collected here
    built_in = ensure_database(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not has_data(args) or args.rebuild and built_in is None:
        built_in = build(args)
    from approvals.scale_pages import pages

    pages = [measure(*page, repeat=args.repeat) for page in pages()]
    return {"size": f"{args.departments} departments × {args.proposals} proposals over {args.years} years",
            "built_in": built_in, "pages": pages}


def ensure_database(args):
    """A fresh PostgreSQL database when asked to rebuild (or when there is none)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(os.environ["SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return None
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if args.rebuild and exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if args.rebuild or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return None


def has_data(args) -> bool:
    from approvals.models import Proposal
    from quotas.models import Department

    if not Department.objects.filter(code="SCALE-CITY").exists():
        return False
    if Proposal.objects.filter(department__parent__code="SCALE-CITY").count() != args.proposals:
        raise SystemExit("the database holds scale data of another size: run with --rebuild")
    return True


def build(args) -> float:
    from approvals import scale

    started = time.perf_counter()
    scale.build(departments=args.departments, proposals=args.proposals, years=args.years)
    return time.perf_counter() - started


def measure(name, page, who, user, target, *, repeat: int) -> dict:
    """Queries of a warm run, then `repeat` timed runs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user)

    def once():
        if callable(target):
            return target()
        response = client.get(target)
        assert response.status_code == 200, (name, target, response.status_code)

    once()  # warm: process-wide caches (content types, templates) fill on a first request
    with CaptureQueriesContext(connection) as queries:
        once()
    count = len(queries)  # now: the next request's start empties the log it reads
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        once()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"name": name, "page": page, "who": who, "queries": count,
            "p50": statistics.median(times), "p95": times[max(0, round(0.95 * len(times)) - 1)]}


if __name__ == "__main__":
    main()
