"""The report's SHA-256 fingerprint: over everything its figures come from —
the departments' quotas of the year and the year before, every ledger entry of
those quotas, every item counted against them with its audit trail — and the
report's own parameters (year, scope, reduction). The same data gives the same
fingerprint on any database; any change to a figure's source changes it.

It is printed on the cover and in every footer and stored in the PDF's
metadata; `manage.py verify_report FILE.pdf` recomputes it.
"""

import hashlib
import json

from approvals.models import PlanItem, PlanState, PlanWindow, Proposal, ProposalEvent
from quotas.models import LedgerEntry, Quota

SCHEME = "jianfuzha-report-fingerprint-1"
PROPOSAL_FIELDS = (
    "pk", "kind", "department_id", "quota_id", "state", "hold", "title", "planned_date", "start", "end",
    "emergency", "justification", "escalations", "doc_type", "doc_category", "length_chars", "is_joint",
    "forms_required", "one_vote_veto", "responsibility_pledge", "meeting_format", "meeting_class",
    "attendees_city", "attendees_county", "attendees_township", "attendees_village",
    "principals_required", "estimated_cost", "doc_number", "issued_on", "actual_attendees",
    "actual_cost", "registry_number",
)
LEDGER_FIELDS = (
    "pk", "quota_id", "action", "source_type_id", "source_id", "created_at", "delta_reserved",
    "delta_committed", "delta_overridden", "delta_flagged", "cap_after", "reserved_after",
    "committed_after", "overridden_after", "flagged_after",
)


def compute(*, year: int, department=None, reduction) -> str:
    from .figures import scope_departments

    departments = scope_departments(year, department)
    quotas = Quota.objects.filter(department__in=departments, year__in=[year, year - 1])
    proposals = Proposal.objects.filter(quota__year=year, quota__department__in=departments)
    material = {
        "scheme": SCHEME, "year": year, "scope": department.code if department else "all",
        "reduction": f"{reduction:.2f}",
        "departments": [(d.pk, d.code, d.name) for d in departments],
        "quotas": list(quotas.order_by("pk").values_list(
            "pk", "department_id", "year", "kind", "cap", "reserved", "committed", "overridden", "flagged")),
        "ledger": list(LedgerEntry.objects.filter(quota__in=quotas).order_by("pk").values_list(*LEDGER_FIELDS)),
        "items": list(proposals.order_by("pk").values_list(*PROPOSAL_FIELDS)),
        "events": list(ProposalEvent.objects.filter(proposal__in=proposals).order_by("pk").values_list(
            "pk", "proposal_id", "step", "action", "from_state", "to_state", "at")),
    }
    plans = _plan_material(year, departments, proposals)
    if plans:  # absent for a year without plans, so earlier reports' fingerprints still verify
        material["plans"] = plans
    encoded = json.dumps(material, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plan_material(year, departments, proposals) -> dict | None:
    """What the plan-vs-actual table comes from: the approved plans' items and
    which item each counted proposal carried out."""
    items = list(PlanItem.objects.filter(plan__year=year, plan__department__in=departments,
                                         plan__state=PlanState.APPROVED)
                 .order_by("pk").values_list("pk", "plan_id", "plan__department_id", "kind", "month", "title"))
    carried = list(proposals.filter(planned_item__isnull=False).order_by("pk").values_list("pk", "planned_item_id"))
    under = PlanWindow.objects.filter(year=year).exists()
    if not (items or carried or under):
        return None
    return {"under_planning": under, "items": items, "carried": carried}


def _plain(value):
    """Dates, times and decimals as text the same on every database."""
    if hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is not None:
            import datetime

            value = value.astimezone(datetime.timezone.utc)
        return value.isoformat()
    return str(value)
