"""减负备案号: the number every approved item carries, and the public look-up of it.

`registry_assign` runs inside the approving transaction (approvals.services,
where the slot is committed), so a number is given exactly when an item becomes
approved and rolls back with it: numbers are unique and gap-free per year.

The race it prevents: two approvals at once both read "last = 122" and both
give 0123. Each locks its year's RegistryCounter row (SELECT … FOR UPDATE) and
bumps it under the lock, so the second waits for the first to commit and then
reads 123. The row itself is created with INSERT … ON CONFLICT DO NOTHING, so
the first two approvals of a new year cannot both create it (one waits on the
unique index, then finds the row) — neither fails with an IntegrityError.
"""

from django.conf import settings
from django.utils import timezone

from .lifecycle import State
from .models import Proposal, RegistryCounter

# What the public look-up may answer about: an item that went through the gate.
# A cancelled item keeps its number and is shown as cancelled (no longer owed);
# drafts, items in review, rejected and withdrawn items never had a number.
PUBLIC_STATES = (State.APPROVED, State.COMPLETED, State.CANCELLED)


def registry_format(*, year: int, seq: int) -> str:
    return settings.JIANFU["REGISTRY_FORMAT"].format(year=year, seq=seq)


def registry_assign(proposal: Proposal) -> str:
    """Give `proposal` the next number of its year (the year it counts against).
    Call inside the approving transaction; the caller's save() writes it. An item
    that already has a number keeps it."""
    if proposal.registry_number:
        return proposal.registry_number
    year = proposal.quota_year or timezone.localdate().year
    RegistryCounter.objects.bulk_create([RegistryCounter(year=year)], ignore_conflicts=True)
    counter = RegistryCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    proposal.registry_year, proposal.registry_seq = year, counter.last
    proposal.registry_number = registry_format(year=year, seq=counter.last)
    return proposal.registry_number


def registered_item(number: str) -> Proposal | None:
    """The item that carries `number`, if the public may know about it."""
    number = (number or "").strip()
    if not number or len(number) > Proposal._meta.get_field("registry_number").max_length:
        return None
    return (
        Proposal.objects.filter(registry_number=number, state__in=PUBLIC_STATES)
        .select_related("department")
        .first()
    )
