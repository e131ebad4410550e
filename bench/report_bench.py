"""Benchmark the year-end compliance report against WeasyPrint alone.

    .venv/bin/python bench/report_bench.py [50 200]

For each department count it builds a throwaway SQLite database (SQLITE_PATH,
a temporary directory unless set) with bulk-created departments, quotas,
ledger entries, proposals and audit events, then, each in a fresh process so
that peak memory is its own:

  report   `reports.render.generate`: queries, fingerprint, charts, templates,
           one WeasyPrint pass (page numbers and footers from CSS), metadata
  weasy    the same HTML rendered by WeasyPrint alone

and prints pages, seconds, pages/s, peak RSS, and — measured in the weasy run's
own process — what gathering data, the fingerprint, charts and templating add
over WeasyPrint's render ("+x% own").
"""

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
DOCS_PER_DEPARTMENT = 14
MEETINGS_PER_DEPARTMENT = 6


def setup_django(sqlite_path: str) -> None:
    os.environ["SQLITE_PATH"] = sqlite_path
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(departments: int) -> None:
    """Bulk rows that look like a year of work: counters agree with the ledger."""
    from django.core.management import call_command

    from approvals.models import SHANGHAI, Proposal, ProposalEvent
    from quotas.models import Department, LedgerEntry, Quota, User

    call_command("migrate", verbosity=0)
    clerk = User.objects.create_user("bench-clerk")
    depts = Department.objects.bulk_create([
        Department(code=f"B-{i:04d}", name=f"江海市第{i + 1}部门", level="city") for i in range(departments)
    ])
    quotas = []
    for d in depts:
        for year in (YEAR - 1, YEAR):
            quotas.append(Quota(department=d, year=year, kind="document", cap=20, committed=0))
            quotas.append(Quota(department=d, year=year, kind="meeting", cap=10, committed=0))
    quotas = Quota.objects.bulk_create(quotas)
    this_year = {(q.department_id, q.kind): q for q in quotas if q.year == YEAR}
    last_year = [q for q in quotas if q.year == YEAR - 1]

    # auto_now_add would stamp every row "now": spread them over the year instead.
    for model, name in [(LedgerEntry, "created_at"), (ProposalEvent, "at")]:
        model._meta.get_field(name).auto_now_add = False

    proposals, ledger, counters = [], [], {}
    for d in depts:
        for kind, count in [("document", DOCS_PER_DEPARTMENT), ("meeting", MEETINGS_PER_DEPARTMENT)]:
            quota = this_year[(d.pk, kind)]
            for n in range(count):
                month = n % 12 + 1
                when = dt.datetime(YEAR, month, 5 + n % 20, 9, tzinfo=SHANGHAI)
                fields = dict(
                    kind=kind, department=d, created_by=clerk, title=f"{d.name}关于第{n + 1}项工作的{'通知' if kind == 'document' else '部署会'}",
                    necessity="确有必要。", target_levels=["township"], quota=quota, hold="committed",
                    state="completed" if n % 3 == 0 else "approved", submitted_at=when,
                )
                if kind == "document":
                    fields.update(planned_date=when.date(), doc_type="notice", length_chars=1500,
                                  doc_number=f"江发〔{YEAR}〕{n + 1}号" if n % 3 == 0 else "")
                else:
                    fields.update(start=when, end=when + dt.timedelta(hours=2), meeting_format="onsite",
                                  meeting_class=3, attendees_city=30, venue="市政府会议室",
                                  estimated_cost=Decimal("28500.00"),
                                  actual_cost=Decimal("27550.00") if n % 3 == 0 else None)
                proposals.append(Proposal(**fields))
                c = counters.setdefault(quota.pk, [quota.cap, 0, 0])
                c[1] += 1
                ledger.append(_entry(LedgerEntry, quota, clerk, "reserve", when, c, reserved=1))
                c[1] -= 1
                c[2] += 1
                ledger.append(_entry(LedgerEntry, quota, clerk, "commit", when + dt.timedelta(days=2), c,
                                     reserved=-1, committed=1))
            ledger.append(_entry(LedgerEntry, quota, clerk, "blocked", dt.datetime(YEAR, 11, 20, tzinfo=SHANGHAI),
                                 counters[quota.pk]))
    Proposal.objects.bulk_create(proposals, batch_size=2000)
    events = []
    for p in Proposal.objects.filter(quota__year=YEAR).only("pk", "submitted_at", "state"):
        t = p.submitted_at
        for step, action, frm, to, hours in [
            ("clerk", "submit", "draft", "head_review", 0), ("head", "approve", "head_review", "office_review", 20),
            ("office", "approve", "office_review", "approved", 50),
        ]:
            t += dt.timedelta(hours=hours)
            events.append(ProposalEvent(proposal=p, actor=clerk, at=t, step=step, action=action,
                                        from_state=frm, to_state=to))
    ProposalEvent.objects.bulk_create(events, batch_size=5000)
    for q in last_year:
        q.committed = 26 if q.kind == "document" else 9
        ledger.append(_entry(LedgerEntry, q, clerk, "commit", dt.datetime(YEAR - 1, 12, 1, tzinfo=SHANGHAI),
                             [q.cap + 10, 0, q.committed], committed=q.committed))
        q.cap += 10
    Quota.objects.bulk_update(last_year, ["committed", "cap"])
    for quota_pk, (cap, reserved, committed) in counters.items():
        Quota.objects.filter(pk=quota_pk).update(reserved=reserved, committed=committed)
    LedgerEntry.objects.bulk_create(ledger, batch_size=5000)


def _entry(model, quota, actor, action, when, counters, reserved=0, committed=0):
    cap, r, c = counters
    return model(quota=quota, action=action, actor=actor, created_at=when, delta_reserved=reserved,
                 delta_committed=committed, cap_after=cap, reserved_after=r, committed_after=c,
                 overridden_after=0)


def peak_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest worker, in MB (Linux: ru_maxrss is KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, workers


def measure_report() -> dict:
    from reports import render

    start = time.perf_counter()
    steps = []
    made = render.generate(year=YEAR, progress=lambda percent, step: steps.append((percent, time.perf_counter() - start)))
    seconds = time.perf_counter() - start
    marks = dict(steps)
    render_start, render_end = marks.get(25, 0), marks.get(95, seconds)
    own, _ = peak_mb()
    return {"pages": made.pages, "seconds": seconds, "peak_mb": own, "bytes": len(made.pdf),
            "split": f"data+fingerprint+charts {render_start:.1f}s, WeasyPrint {render_end - render_start:.1f}s, "
                     f"metadata {seconds - render_end:.1f}s"}


def measure_weasy() -> dict:
    from weasyprint import HTML

    from reports import figures, pdf, render
    from reports.charts import quota_chart

    start = time.perf_counter()
    data = figures.collect(year=YEAR)
    for scope in data.departments:
        scope.chart = quota_chart(scope.months)
    collected = time.perf_counter()
    html = render.report_html(data, render.Meta())
    templated = time.perf_counter()
    document = HTML(string=html, base_url=pdf.STATIC_SCHEME,
                    url_fetcher=pdf.make_fetcher(render.static_roots())).write_pdf()
    rendered = time.perf_counter()
    own, _ = peak_mb()
    data_s, template_s, weasy_s = collected - start, templated - collected, rendered - templated
    return {"pages": pdf.page_count(document), "seconds": weasy_s, "peak_mb": own,
            "overhead": (data_s + template_s) / weasy_s,
            "split": f"data+charts {data_s:.1f}s, templates {template_s:.1f}s (not in seconds)"}


def child(mode: str, sqlite_path: str, departments: int) -> None:
    setup_django(sqlite_path)
    if mode == "build":
        build(departments)
        print(json.dumps({}))
    else:
        measure = {"report": measure_report, "weasy": measure_weasy}[mode]
        print(json.dumps(measure()))


def run(mode: str, sqlite_path: str, departments: int) -> dict:
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", mode, sqlite_path, str(departments)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": load}


def main(counts: list[int]) -> None:
    base = os.environ.get("SQLITE_PATH")
    workdir = tempfile.mkdtemp(prefix="report-bench-")
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.1f} (a shared machine skews seconds)")
    print(f"{'depts':>5} {'run':<6} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak MB':>16} {'ratio':>18}")
    for n in counts:
        path = str(Path(base).with_name(f"{Path(base).stem}-{n}.sqlite3")) if base else f"{workdir}/bench-{n}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        run("build", path, n)
        report = run("report", path, n)
        weasy = run("weasy", path, n)
        ratios = {"report": f"{report['seconds'] / weasy['seconds']:.2f}× weasy", "weasy": f"+{weasy['overhead']:.1%} own"}
        for name, r in [("report", report), ("weasy", weasy)]:
            print(f"{n:>5} {name:<6} {r['pages']:>6} {r['seconds']:>8.1f} {r['pages'] / r['seconds']:>8.2f} "
                  f"{r['peak_mb']:>16.0f} {ratios[name]:>18}  load {r['load']:.1f}  {r.get('split', '')}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main([int(a) for a in sys.argv[1:]] or [50, 200])
