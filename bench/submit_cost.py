"""What one filed and submitted proposal costs, in one process, without HTTP.

    .venv/bin/python bench/submit_cost.py [--rounds 5] [--pairs 30]

Complements submit_bench.py (load over loopback): here Django's test client
calls the API in this process on PostgreSQL (database `jianfuzha_cost`,
recreated), so the numbers are the application's own cost with nothing else
in the way. Prints, per request kind, the best round's wall and CPU time per
request and its SQL statement count, and the baseline one-row insert on the
same stack for the ratio. The best of several rounds, because this machine is
shared: the minimum is the least disturbed.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import submit_bench  # noqa: E402  (the same departments, caps and tokens as the load benchmark)


def timed_requests(create, submit, file_and_submit, baseline):
    return [("file (create draft)", create), ("submit", submit), ("file + submit, one request", file_and_submit),
            ("baseline insert", baseline)]


def measure(call, count: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    return (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/jianfuzha_cost")
    args = parser.parse_args()

    env = submit_bench.server_env(args.database_url, 1)
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    submit_bench.recreate_database(args.database_url)
    tokens = submit_bench.setup_data(env)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ample = sorted(tokens)[1]  # odd departments have ample caps: every submit succeeds
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[ample]}", HTTP_ACCEPT_LANGUAGE="en")
    body = {"kind": "document", "title": "成本测量", "necessity": "测量", "planned_date": f"{submit_bench.YEAR}-03-10",
            "target_levels": ["township"], "doc_type": "notice", "length_chars": 1000}
    drafts = []

    def create():
        response = client.post("/api/v1/proposals/", body, content_type="application/json")
        assert response.status_code == 201, response.content
        drafts.append(response.json()["id"])

    def submit():
        response = client.post(f"/api/v1/proposals/{drafts.pop()}/submit/", {}, content_type="application/json")
        assert response.status_code == 200, response.content

    def file_and_submit():
        response = client.post("/api/v1/proposals/?submit=1", body, content_type="application/json")
        assert response.status_code == 200, response.content

    def baseline():
        response = client.post("/api/v1/bench/baseline/", {"note": "x"}, content_type="application/json")
        assert response.status_code == 201

    for _ in range(10):  # warm up: imports, caches, connections
        create(), submit(), file_and_submit(), baseline()
    best = {}
    for _ in range(args.rounds):
        for name, call in timed_requests(create, submit, file_and_submit, baseline):
            if name == "submit":
                # Drafts to submit, made outside the timed loop.
                while len(drafts) < args.pairs:
                    create()
            result = measure(call, args.pairs)
            best[name] = min(best.get(name, result), result)
    queries = {}
    for name, call in timed_requests(create, submit, file_and_submit, baseline):
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[name] = len(captured.captured_queries)

    base_wall, base_cpu = best["baseline insert"]
    print(f"\nbest of {args.rounds} rounds × {args.pairs} requests, in-process, PostgreSQL\n")
    print("| request | wall ms | CPU ms | SQL statements | CPU ÷ baseline |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} | {queries[name]} | {cpu / base_cpu:.1f} |")
    pair_cpu = best["file (create draft)"][1] + best["submit"][1]
    print(f"\nfile + submit: {pair_cpu * 1000:.1f} ms CPU = {pair_cpu / base_cpu:.1f}× the baseline insert; "
          f"in one request {best['file + submit, one request'][1] / base_cpu:.1f}×")


if __name__ == "__main__":
    main()
