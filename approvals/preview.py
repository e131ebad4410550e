"""The submission preview: what submitting would do, for a stored draft or for
form data not yet saved — computed by approvals.assessment.assess, the very
function submission refuses with. Nothing is written: the draft is changed in
memory only, and the quota is read, never reserved."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import assessment, policy, services
from .errors import NotAllowed, SubmissionRefused
from .lifecycle import Action
from .models import Proposal
from .policy import MSG_NOT_CLERK
from .problems import Problem

# Validated before the rules run (a draft spanning centuries would make them
# slow); title and necessity may still be empty while the clerk types.
NOT_YET = ["state", "department", "created_by", "title", "necessity"]
# Set after a draft is saved (co-issuers, …): a preview carries them beside the instance.
MANY_TO_MANY = frozenset(f.name for f in Proposal._meta.many_to_many)


def proposal_preview(*, by, proposal: Proposal | None = None, kind: str | None = None,
                     emergency: bool = False, justification: str = "", emergency_category: str = "",
                     **fields) -> assessment.Assessment:
    """Assess a stored draft (`proposal`, with `fields` as unsaved changes) or new
    data (`kind` and `fields`, as proposal_create takes them). The same people
    may preview as may submit (or draft): 403/409 otherwise."""
    if proposal is None:
        policy.require_draft(by)
        draft = Proposal(department=by.department, created_by=by, kind=kind)
    else:
        policy.require(by, proposal, Action.SUBMIT)
        draft = Proposal.objects.select_related("department").get(pk=proposal.pk)
    problems = _apply(draft, fields)
    if problems:
        return assessment.Assessment(problems=problems)
    return assessment.assess(draft, emergency=emergency, justification=justification,
                             emergency_category=emergency_category)


def _apply(draft: Proposal, fields: dict) -> list[Problem]:
    """Put the changes on the in-memory draft; what proposal_create/update would
    refuse comes back as problems."""
    fields = dict(fields)
    fields.pop("kind", None)
    department = fields.pop("department", None)
    if department is not None and department.pk != draft.department_id:
        raise NotAllowed(_(MSG_NOT_CLERK))
    lead_department = fields.pop("lead_department", None)
    related = {name: fields.pop(name) for name in list(fields) if name in MANY_TO_MANY}
    try:
        services.check_joint(draft.department_id, lead_department, related.get("co_departments") or ())
        services.check_units(related.get("units") or ())
    except SubmissionRefused as refused:
        return refused.problems
    unknown = set(fields) - services.DRAFT_FIELDS
    if unknown:
        raise TypeError(f"not editable in a draft: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(draft, name, value)
    for name, value in related.items():
        setattr(draft, f"pending_{name}", list(value))
    try:
        draft.full_clean(exclude=NOT_YET, validate_unique=False, validate_constraints=False)
    except ValidationError as invalid:
        return [Problem(name, "invalid", message) for name, messages in invalid.message_dict.items()
                for message in messages]
    return []
