"""The report's machine-readable twin: the same figures as the PDF, in the
issue 13 contract's shape (`compliance_report --json`, GET /api/v1/reports/{year}/summary/)."""

from .figures import ReportData


def summary(data: ReportData) -> dict:
    return {
        "year": data.year,
        "generated_at": data.generated_at.isoformat(),
        "data_as_of": data.data_as_of.isoformat(),
        "provisional": data.provisional,
        "fingerprint": data.fingerprint,
        "departments": [
            {
                "code": scope.department.code, "kind": k.kind, "cap": k.cap, "used": k.used,
                "overridden": k.overridden, "last_year": k.last_year, "target": k.target,
                "passed": k.passed, "reasons": k.reasons,
            }
            for scope in data.departments for k in scope.quota_rows
        ],
        "totals": {
            kind: {"cap": t.cap, "used": t.used, "target": t.target, "passed": t.passed}
            for kind, t in data.total.kinds.items() if kind in data.total.shown
        },
    }


def plan_summary(data: ReportData) -> dict:
    """计划执行 (plan vs actual) per department and kind: {year, plans: [...] or None
    when the year is not under 计划管理}. Its own answer, so that the summary
    keeps issue 13's shape exactly."""
    return {
        "year": data.year,
        "plans": None if data.plans is None else [
            {"code": line.department.code, "kind": line.kind, "has_plan": line.has_plan, "planned": line.planned,
             "actual": line.actual, "unplanned": line.unplanned, "not_carried_out": line.not_carried_out}
            for line in data.plans.rows
        ],
    }
