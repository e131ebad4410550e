"""gunicorn settings for `submit_bench.py --hot`: the production settings
(config/gunicorn.conf.py) plus, in each worker, a timer on the quota row's lock.

The guarded `UPDATE quotas_quota … WHERE <free slot>` takes the row lock that
every other submitter of that quota queues on; PostgreSQL holds it until the
transaction ends. The timer notes when that UPDATE returns having taken a slot
(the lock is held) and when the worker's COMMIT (or ROLLBACK) returns (it is
released), and appends one line per reservation to
$JIANFU_BENCH_LOCK_LOG/<pid>.log: wall time, seconds the UPDATE took (mostly
waiting for the lock), seconds the lock was held, of those the seconds the
worker spent on the CPU (the rest it waited: for PostgreSQL, or for a core on a
busy machine), and the SQL statements it ran meanwhile (verb and table). It
lives here, not in the application: production code has no hook that costs
anything.
"""

import os
import re
import runpy
import time
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"))
globals().update({name: value for name, value in _production.items() if not name.startswith("__")})

# Also inside a CTE (WITH … UPDATE "quotas_quota" …), should the submission become one statement.
QUOTA_UPDATE = re.compile(r'\bUPDATE\s+"?quotas_quota"?\s+SET\b', re.IGNORECASE)
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


def head(sql: str) -> str:
    """'INSERT quotas_ledgerentry', 'SAVEPOINT': the statement's verb and the table it reads or writes."""
    verb = sql.split(None, 1)[0].upper()
    table = TABLE.search(sql) if verb in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH") else None
    return f"{verb} {table.group(1)}" if table else verb


def post_fork(server, worker):
    from django.db import DEFAULT_DB_ALIAS, connections

    database = connections[DEFAULT_DB_ALIAS]  # this worker's (its one thread's) connection
    log = Path(os.environ["JIANFU_BENCH_LOCK_LOG"]) / f"{os.getpid()}.log"
    held = {}  # while a slot's lock is held: when it was taken, the CPU clock then, the UPDATE's time
    under_lock = []  # the statements run meanwhile

    def timer(execute, sql, params, many, context):
        if not QUOTA_UPDATE.search(sql):
            if held:
                under_lock.append(head(sql))
            return execute(sql, params, many, context)
        asked = time.perf_counter()
        result = execute(sql, params, many, context)
        if context["cursor"].rowcount > 0 and context["connection"].in_atomic_block and not held:
            held.update(since=time.perf_counter(), cpu=time.thread_time(), took=time.perf_counter() - asked)
            under_lock.clear()
        return result

    def releasing(end_transaction):
        def end():
            try:
                return end_transaction()
            finally:
                if held:
                    seconds, cpu = time.perf_counter() - held["since"], time.thread_time() - held["cpu"]
                    with log.open("a") as f:
                        f.write(f"{time.time():.6f} {held['took']:.6f} {seconds:.6f} {cpu:.6f}\t"
                                f"{';'.join(under_lock)}\n")
                    held.clear()
        return end

    database.execute_wrappers.append(timer)
    database.commit = releasing(database.commit)
    database.rollback = releasing(database.rollback)
