"""Which proposals a user may see, and fetching one or answering 404.

Clerks and heads see their own department's proposals (and joint documents
their department co-issues); the review office, leaders, auditors and
administrators see every proposal. A proposal the user may not see is a 404,
so that guessing ids reveals nothing.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from quotas.access import sees_all_departments

from .models import Proposal


def visible_proposals(user, *, related: bool = True):
    proposals = Proposal.objects.all()
    if related:
        proposals = proposals.select_related("department", "created_by", "quota")
    if not user.is_authenticated:
        return proposals.none()
    if sees_all_departments(user):
        return proposals
    if user.department_id is None:
        return proposals.none()
    co_issued = Proposal.co_departments.through.objects.filter(
        proposal_id=OuterRef("pk"), department_id=user.department_id)
    return proposals.filter(Q(department_id=user.department_id) | Exists(co_issued))


def get_proposal_for_user(user, pk, *, related: bool = True) -> Proposal:
    try:
        return visible_proposals(user, related=related).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proposal") from None
