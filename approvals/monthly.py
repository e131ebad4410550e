"""Monthly caps on on-site inspections (issue 16): a parent department (the
city) may cap, beside its annual inspection quota, how many on-site
inspections reach grassroots units in each month (quotas.models.MonthlyQuota).

Which items count: inspections (approvals.kinds.inspection.counts_monthly —
every mode this code knows is a visit on site, and every inspection visits
township or village units). The month is the inspection's start month in
Asia/Shanghai; one that runs into the next month counts in its start month
only, as its annual slot counts in its start year.

The slots follow the annual ones (approvals.services): reserved at submission
in the same transaction, committed on approval, released on withdrawal,
rejection and cancellation, moved when a returned item's start moves to
another month. A 特事特办 emergency in 安全生产 or 自然灾害
(settings.JIANFU["INSPECTION_MONTHLY_EXEMPT_EMERGENCIES"]) that finds the month
full takes no monthly slot and is counted as overridden once the leader
approves; any other item is refused at a full month like at a full year.
"""

from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotas.models import MonthlyQuota
from quotas.services import (
    QuotaExhausted, monthly_quotas, quota_commit, quota_override, quota_release, quota_reserve,
)

from .kinds.inspection import counts_monthly
from .models import Hold, Proposal

MSG_MONTH_MOVED = gettext_noop("开始时间改到其他月份")


def exempt(p: Proposal) -> bool:
    """A 特事特办 request in a field that passes a full month (安全生产, 自然灾害)."""
    return p.emergency and p.emergency_category in settings.JIANFU["INSPECTION_MONTHLY_EXEMPT_EMERGENCIES"]


def counters_for(p: Proposal, quotas) -> list[MonthlyQuota]:
    """The monthly caps of `p`'s start month among `quotas` (its own and its parents')."""
    if not counts_monthly(p):
        return []
    return monthly_quotas(quotas=quotas, month=p.planned_day.month)


def keeps(p: Proposal, counters) -> bool:
    """Returned for revision with its start in the same month: the slots are still its own."""
    return p.monthly_hold == Hold.RESERVED and {c.pk for c in counters} == set(
        p.monthly_quotas.values_list("pk", flat=True))


def full_counter(p: Proposal, quotas) -> MonthlyQuota | None:
    """The first month among `quotas` that has no slot left for `p` (read without
    the lock, for the preview; the guarded UPDATE decides)."""
    counters = counters_for(p, quotas)
    if keeps(p, counters):
        return None
    return next((c for c in counters if c.used >= c.cap), None)


def hold(p: Proposal, quotas, by) -> None:
    """Make sure `p` holds a slot of each monthly cap of its start month, all or
    none. Raises QuotaExhausted (naming the month) when one is full, unless `p`
    is an exempt emergency: then it holds none until the leader approves."""
    counters = counters_for(p, quotas)
    if keeps(p, counters):
        return
    release(p, by, _(MSG_MONTH_MOVED))  # the start moved to another month: give that month's slot back
    if not counters:
        return
    try:
        # The race: clerks of several departments taking the city's last slot
        # of a month; each guarded UPDATE lets one through. A savepoint only
        # when a failure could leave an earlier month's slot taken.
        with transaction.atomic() if len(counters) > 1 else nullcontext():
            for counter in counters:
                quota_reserve(quota=counter, source=p, by=by)
    except QuotaExhausted:
        if not exempt(p):
            raise
        return
    p.monthly_hold = Hold.RESERVED
    p.monthly_quotas.set(counters)


def commit(p: Proposal, quotas, by) -> None:
    """On approval: a reserved month becomes committed; an exempt emergency that
    found the month full is counted there beyond the cap (overridden)."""
    if p.monthly_hold == Hold.RESERVED:
        for counter in p.monthly_quotas.all():
            quota_commit(quota=counter, source=p, by=by)
        p.monthly_hold = Hold.COMMITTED
    elif p.monthly_hold == Hold.NONE and exempt(p):
        counters = counters_for(p, quotas)
        for counter in counters:
            quota_override(quota=counter, source=p, by=by, note=p.justification)
        if counters:
            p.monthly_hold = Hold.OVERRIDDEN
            p.monthly_quotas.set(counters)


def release(p: Proposal, by, note: str) -> None:
    """Give back the monthly slots `p` holds (reserved, committed or overridden)."""
    if p.monthly_hold == Hold.NONE:
        return
    for counter in p.monthly_quotas.all():
        quota_release(quota=counter, source=p, by=by, held=p.monthly_hold, note=note)
    p.monthly_quotas.clear()
    p.monthly_hold = Hold.NONE
