"""What differs between kinds of proposal: each kind is a module with its own
fields, required fields, rules a draft may break but a submission may not,
escalation reasons and completion fields. approvals.rules asks `of(kind)`.

Adding a kind (e.g. inspections) is a Kind value in quotas.models, a module
here registered in KINDS, and its fields on Proposal; the lifecycle, the policy
and the services do not change.
"""

from quotas.models import Kind

from . import document, inspection, meeting

KINDS = {Kind.DOCUMENT: document, Kind.MEETING: meeting, Kind.INSPECTION: inspection}


def of(kind: str):
    return KINDS[kind]


# Every field a clerk may set on a draft of some kind (the services' write contract).
COMMON_FIELDS = ("title", "necessity", "target_levels")
DRAFT_FIELDS = frozenset(COMMON_FIELDS).union(*(module.FIELDS for module in KINDS.values()))
# Many-to-many fields: set by the services after the row is saved.
RELATED_FIELDS = frozenset({"co_departments", "units"})


def approval_problems(p) -> list:
    """What a kind checks again when an item becomes approved (under its own locks)."""
    check = getattr(of(p.kind), "approval_problems", None)
    return check(p) if check else []
