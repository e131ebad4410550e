"""Every write to a quota's counters, each in one short transaction.

The race these functions prevent: two submitters both read "cap 10, used 9",
both add one, and the department ends the year at 11. quota_reserve takes the
slot with one guarded UPDATE (the row lock it takes makes concurrent reservations
queue, and each re-checks "a slot is free" on the row it finally updates); the
others lock the quota row first (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database's write lock) and check the
counters under the lock. Every change writes its ledger entry before the lock is
released. The CHECK constraints on Quota catch anything that slips past.

They are not `durable`: the approvals services call them inside the flow's
transaction, so that a refused step rolls back the whole step. `source` is the
object that caused the change (a proposal, a confirmed flag, a plan, or None
for an administrator's cap change); the ledger stores it generically.
"""

import math

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Department, Kind, LedgerAction, LedgerEntry, MonthlyQuota, Quota


class QuotaError(Exception):
    """A refused quota operation; str() is the message for the user."""

    code = "quota_error"

    def __init__(self, message: str, *, quota: Quota | None = None, month: "MonthlyQuota | None" = None):
        super().__init__(message)
        # `quota` is always an annual Quota (the API names it); `month` the
        # monthly counter inside it that refused, if it was one.
        self.quota = quota
        self.month = month


class QuotaExhausted(QuotaError):
    code = "quota_exhausted"


class QuotaMissing(QuotaError):
    code = "quota_missing"


class QuotaCapTooLow(QuotaError):
    code = "quota_cap_too_low"


class QuotaCounterError(QuotaError):
    code = "quota_counter_error"


MSG_EXHAUSTED = gettext_noop(
    "{department} {year} 年度{kind}总量已熔断：总量 {cap}，审核中占用 {reserved}，"
    "已批准 {committed}，剩余 0。如确属特殊情况，请按“特事特办”提交并写明超额说明。"
)
MSG_EXHAUSTED_FLAGGED = gettext_noop(
    "{department} {year} 年度{kind}总量已熔断：总量 {cap}，审核中占用 {reserved}，"
    "已批准 {committed}，经确认的明减暗增 {flagged}，剩余 0。如确属特殊情况，请按“特事特办”提交并写明超额说明。"
)
MSG_MONTH_EXHAUSTED = gettext_noop(
    "{department} {year} 年 {month} 月{kind}月度总量已熔断：月度总量 {cap}，审核中占用 {reserved}，"
    "已批准 {committed}，剩余 0。只有安全生产、自然灾害领域的突发事件可按“特事特办”超额提交。"
)
MSG_MONTH_CAP_TOO_LOW = gettext_noop(
    "{department} {year} 年 {month} 月{kind}月度总量不能设为 {cap}：已占用 {reserved}、已批准 {committed}，"
    "合计 {used}。"
)
MSG_MONTH_KIND = gettext_noop("只有督查检查考核可以设置月度总量。")
MSG_MONTH_RANGE = gettext_noop("月份须在 1 到 12 之间。")
MSG_MISSING = gettext_noop("{department} 尚未设置 {year} 年度{kind}总量，请联系系统管理员。")
MSG_CAP_TOO_LOW = gettext_noop(
    "{department} {year} 年度{kind}总量不能设为 {cap}：已占用 {reserved}、已批准 {committed}，"
    "合计 {used}。"
)
MSG_NOTHING_TO_COMMIT = gettext_noop("{quota} 没有可确认的占用。")
MSG_NOTHING_TO_RELEASE = gettext_noop("{quota} 没有可释放的{what}。")


def _describe(quota: Quota, **extra) -> dict:
    return {
        "department": quota.department.name,
        "year": quota.year,
        "kind": quota.get_kind_display(),
        "cap": quota.cap,
        "reserved": quota.reserved,
        "committed": quota.committed,
        "used": quota.issued,
        **extra,
    }


def exhausted_message(quota) -> str:
    if isinstance(quota, MonthlyQuota):
        return _(MSG_MONTH_EXHAUSTED).format(**_describe(quota.quota, month=quota.month, cap=quota.cap,
                                                         reserved=quota.reserved, committed=quota.committed))
    message = MSG_EXHAUSTED_FLAGGED if quota.flagged else MSG_EXHAUSTED
    return _(message).format(**_describe(quota, flagged=quota.flagged))


def quota_get(*, department: Department, year: int, kind: str) -> Quota:
    try:
        return Quota.objects.select_related("department").get(
            department=department, year=year, kind=kind
        )
    except Quota.DoesNotExist:
        raise QuotaMissing(
            _(MSG_MISSING).format(department=department.name, year=year, kind=Kind(kind).label)
        ) from None


# Departments sit at most five levels deep (province → city → county → township → village).
_UP = ["parent_id", "parent__parent_id", "parent__parent__parent_id", "parent__parent__parent__parent_id"]


def ancestor_ids(department_id) -> list[int]:
    """The departments above `department_id`, nearest first (one query)."""
    row = Department.objects.filter(pk=department_id).values_list(*_UP).first() or ()
    return [pk for pk in row if pk is not None]


def parent_quotas(*, department: Department, year: int, kind: str) -> list[Quota]:
    """The quotas held by `department`'s ancestors for that year and kind, nearest
    first: a city's cap counts every item of every department under it, checked
    beside the department's own (SAP's parallel availability control)."""
    return parent_quotas_by_kind(department=department, year=year).get(kind, [])


def parent_quotas_by_kind(*, department: Department, year: int) -> dict[str, list[Quota]]:
    """{kind: the ancestors' quotas of that kind, nearest first}: two queries."""
    ancestors = ancestor_ids(department.pk)
    if not ancestors:
        return {}
    found = {}
    for quota in Quota.objects.select_related("department").filter(department_id__in=ancestors, year=year):
        found.setdefault(quota.kind, []).append(quota)
    for quotas in found.values():
        quotas.sort(key=lambda q: ancestors.index(q.department_id))
    return found


def _lock(quota):
    """The counter row (a Quota or a MonthlyQuota) re-read under its row lock."""
    if isinstance(quota, MonthlyQuota):
        return (MonthlyQuota.objects.select_for_update(of=("self",)).select_related("quota__department")
                .get(pk=quota.pk))
    return Quota.objects.select_for_update().select_related("department").get(pk=quota.pk)


def _exhausted(quota) -> "QuotaExhausted":
    """The refusal of a reservation, naming the annual quota (and the month, if a month refused)."""
    if isinstance(quota, MonthlyQuota):
        return QuotaExhausted(exhausted_message(quota), quota=quota.quota, month=quota)
    return QuotaExhausted(exhausted_message(quota), quota=quota)


# quota_reserve's guard, checked by the UPDATE itself on the row version it locks
# (PostgreSQL re-evaluates the WHERE clause after waiting for a concurrent writer;
# SQLite's IMMEDIATE transaction lets one writer in at a time).
# Confirmed flags (明减暗增) count as used, so a flagged-out quota refuses too.
FREE_SLOT_SQL = " AND cap > reserved + committed + flagged"
MONTHLY_FREE_SLOT_SQL = " AND cap > reserved + committed"


def _change(
    quota: Quota, *, action: str, source, by, note: str = "",
    reserved: int = 0, committed: int = 0, overridden: int = 0, flagged: int = 0,
    only_if_free: bool = False,
) -> LedgerEntry | None:
    """Apply deltas to a quota (or a MonthlyQuota) and append the ledger entry for them.

    One UPDATE … RETURNING moves the counters and reads them back onto
    `quota` (Django's update() cannot return them). With `only_if_free` the
    UPDATE matches no row when no slot is free: nothing changes and None is
    returned.
    """
    monthly = isinstance(quota, MonthlyQuota)
    if reserved or committed or overridden or flagged:
        if monthly and flagged:
            raise ValueError("a monthly quota has no flagged counter")
        row = _update_counters(quota, reserved=reserved, committed=committed, overridden=overridden,
                               flagged=flagged, only_if_free=only_if_free)
        if row is None:
            return None
        quota.cap, quota.reserved, quota.committed, quota.overridden = row[:4]
        if not monthly:
            quota.flagged = row[4]
    return LedgerEntry.objects.create(
        quota_id=quota.quota_id if monthly else quota.pk, month=quota if monthly else None,
        action=action, actor=by, source=source, note=note[:500],
        delta_reserved=reserved, delta_committed=committed, delta_overridden=overridden,
        delta_flagged=flagged, flagged_after=quota.flagged,
        cap_after=quota.cap, reserved_after=quota.reserved,
        committed_after=quota.committed, overridden_after=quota.overridden,
    )


LEDGER_AFTER = "cap_after, reserved_after, committed_after, overridden_after, flagged_after"


def _reserve_in_one_statement(quota: Quota, source, by) -> LedgerEntry | None:
    """PostgreSQL: the guarded UPDATE and its ledger row as one statement (a
    data-modifying CTE), so the quota row's lock is held for one round trip less.
    The same guard (FREE_SLOT_SQL), the same row as _change() writes; no row
    when no slot is free, and then nothing changed. SQLite has no such CTE."""
    quotas, ledger = (connection.ops.quote_name(m._meta.db_table) for m in (Quota, LedgerEntry))
    source_type = ContentType.objects.get_for_model(source) if source is not None else None  # cached
    source_id = source.pk if source is not None else None
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH q AS (UPDATE {quotas} SET reserved = reserved + 1 WHERE id = %s{FREE_SLOT_SQL} "
            "RETURNING id, cap, reserved, committed, overridden, flagged) "
            f"INSERT INTO {ledger} (quota_id, action, actor_id, source_type_id, source_id, created_at, "
            f"delta_reserved, delta_committed, delta_overridden, delta_flagged, {LEDGER_AFTER}, note) "
            "SELECT id, %s, %s, %s, %s, %s, 1, 0, 0, 0, cap, reserved, committed, overridden, flagged, '' FROM q "
            f"RETURNING id, {LEDGER_AFTER}",
            [quota.pk, LedgerAction.RESERVE, by.pk if by else None, source_type and source_type.pk, source_id, now],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    entry_id, quota.cap, quota.reserved, quota.committed, quota.overridden, quota.flagged = row
    entry = LedgerEntry(
        pk=entry_id, quota=quota, action=LedgerAction.RESERVE, actor=by, source_type=source_type,
        source_id=source_id, created_at=now, delta_reserved=1, cap_after=quota.cap,
        reserved_after=quota.reserved, committed_after=quota.committed,
        overridden_after=quota.overridden, flagged_after=quota.flagged,
    )
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


def _update_counters(quota, *, reserved, committed, overridden, flagged, only_if_free):
    """The guarded UPDATE of one counter row; its counters after, or None if no slot was free."""
    monthly = isinstance(quota, MonthlyQuota)
    table = connection.ops.quote_name(type(quota)._meta.db_table)
    flagged_sql = "" if monthly else ", flagged = flagged + %s"
    guard = (MONTHLY_FREE_SLOT_SQL if monthly else FREE_SLOT_SQL) if only_if_free else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reserved = reserved + %s, committed = committed + %s, "
            f"overridden = overridden + %s{flagged_sql} WHERE id = %s{guard} "
            f"RETURNING cap, reserved, committed, overridden{'' if monthly else ', flagged'}",
            [reserved, committed, overridden, *([] if monthly else [flagged]), quota.pk],
        )
        return cursor.fetchone()


def quota_reserve(*, quota, source, by) -> LedgerEntry:
    """Take one slot of a quota (or of a MonthlyQuota) for a submitted proposal,
    or raise QuotaExhausted.

    `quota` carries the counters after the reservation when this returns.
    The race: two submitters both read "cap 10, used 9" and both take the
    last slot. The guarded UPDATE lets only the one that finds it free
    through, so no separate lock is needed. No savepoint either: the UPDATE
    and the ledger entry stand or fall with the caller's transaction, and
    the refusal is raised after the block, when nothing has been written.
    """
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql" and isinstance(quota, Quota):
            entry = _reserve_in_one_statement(quota, source, by)
        else:
            entry = _change(
                quota, action=LedgerAction.RESERVE, source=source, by=by, reserved=1, only_if_free=True,
            )
    if entry is None:
        quota.refresh_from_db(fields=["cap", "reserved", "committed", "overridden"]
                              + ([] if isinstance(quota, MonthlyQuota) else ["flagged"]))
        raise _exhausted(quota)
    return entry


def quota_commit(*, quota, source, by) -> LedgerEntry:
    """An approved proposal turns its reserved slot into a committed one."""
    with transaction.atomic():
        locked = _lock(quota)
        if locked.reserved < 1:
            raise QuotaCounterError(_(MSG_NOTHING_TO_COMMIT).format(quota=locked), quota=locked)
        return _change(
            locked, action=LedgerAction.COMMIT, source=source, by=by,
            reserved=-1, committed=1,
        )


HELD_COUNTERS = ("reserved", "committed", "overridden")
COUNTERS = HELD_COUNTERS + ("flagged",)


def quota_release(*, quota, source, by, held: str = "reserved", note: str = "") -> LedgerEntry:
    """Give back a slot: a reserved one (reject, withdraw) or a committed or
    overridden one (an approved item cancelled)."""
    if held not in HELD_COUNTERS:
        raise ValueError(f"held must be one of {HELD_COUNTERS}")
    with transaction.atomic():
        locked = _lock(quota)
        if getattr(locked, held) < 1:
            what = {"reserved": _("占用"), "committed": _("已批准数"), "overridden": _("特事特办数")}
            raise QuotaCounterError(
                _(MSG_NOTHING_TO_RELEASE).format(quota=locked, what=what[held]), quota=locked
            )
        return _change(
            locked, action=LedgerAction.RELEASE, source=source, by=by, note=note,
            **{held: -1},
        )


def quota_override(*, quota, source, by, note: str = "") -> LedgerEntry:
    """A leader-approved emergency request (特事特办): counted beyond the cap."""
    with transaction.atomic():
        locked = _lock(quota)
        return _change(
            locked, action=LedgerAction.OVERRIDE, source=source, by=by, note=note,
            overridden=1,
        )


def quota_flag(*, quota: Quota, source, by, note: str = "") -> LedgerEntry:
    """A confirmed flag of burden issued around the gate (明减暗增), charged to the
    issuer's quota of that kind and year. No cap check: it records a fact after
    the fact and may push usage past the cap; the next submission then finds
    the quota tripped (FREE_SLOT_SQL counts flagged)."""
    with transaction.atomic():
        locked = _lock(quota)
        return _change(locked, action=LedgerAction.FLAG, source=source, by=by, note=note, flagged=1)


def quota_record_blocked(*, quota, source, by, note: str = "") -> LedgerEntry:
    """Record a refused submission (熔断次数). Call it outside the refused
    transaction, or the record rolls back with it."""
    with transaction.atomic():
        locked = _lock(quota)
        return _change(
            locked, action=LedgerAction.BLOCKED, source=source, by=by,
            note=note or _("总量已熔断，提交被拦截"),
        )


def quota_set_cap(
    *, department: Department, year: int, kind: str, cap: int, by=None,
    warning_ratio=None,
) -> tuple[Quota, int | None]:
    """Create or change one cap. Returns the quota and the previous cap (None if new).

    Refuses a cap below what is already reserved + committed.
    """
    if cap < 0:
        raise QuotaCapTooLow(_("总量不能为负数。"))
    with transaction.atomic():
        quota, created = Quota.objects.get_or_create(
            department=department, year=year, kind=kind, defaults={"cap": cap}
        )
        locked = _lock(quota)
        previous = None if created else locked.cap
        if cap < locked.issued:
            raise QuotaCapTooLow(
                _(MSG_CAP_TOO_LOW).format(**_describe(locked, cap=cap)), quota=locked
            )
        fields = {"cap": cap}
        if warning_ratio is not None:
            fields["warning_ratio"] = warning_ratio
        Quota.objects.filter(pk=locked.pk).update(**fields)
        locked.refresh_from_db()
        if previous != cap:
            _change(
                locked, action=LedgerAction.CAP, source=None, by=by,
                note=_("总量 {old} → {new}").format(old=previous if previous is not None else "—", new=cap),
            )
        return locked, previous


def month_set_cap(*, quota: Quota, month: int, cap: int, by=None) -> tuple[MonthlyQuota, int | None]:
    """Create or change the cap of one month of an inspection quota (e.g. the
    city's on-site inspections per month). Returns the counter row and the
    previous cap (None if new). Refuses a cap below what the month has issued."""
    if quota.kind != Kind.INSPECTION:
        raise QuotaError(_(MSG_MONTH_KIND), quota=quota)
    if not 1 <= month <= 12:
        raise QuotaError(_(MSG_MONTH_RANGE), quota=quota)
    if cap < 0:
        raise QuotaCapTooLow(_("总量不能为负数。"))
    with transaction.atomic():
        counter, created = MonthlyQuota.objects.get_or_create(quota=quota, month=month, defaults={"cap": cap})
        locked = _lock(counter)
        previous = None if created else locked.cap
        if cap < locked.issued:
            raise QuotaCapTooLow(_(MSG_MONTH_CAP_TOO_LOW).format(**_describe(
                locked.quota, month=month, cap=cap, reserved=locked.reserved, committed=locked.committed,
                used=locked.issued)), quota=locked.quota, month=locked)
        MonthlyQuota.objects.filter(pk=locked.pk).update(cap=cap)
        locked.cap = cap
        if previous != cap:
            _change(locked, action=LedgerAction.CAP, source=None, by=by, note=_("{month} 月月度总量 {old} → {new}").format(
                month=month, old=previous if previous is not None else "—", new=cap))
        return locked, previous


def monthly_quotas(*, quotas, month: int) -> list[MonthlyQuota]:
    """The counters of `month` inside `quotas` (those that have a monthly cap),
    in the order of `quotas`: one query."""
    found = {m.quota_id: m for m in MonthlyQuota.objects.select_related("quota__department")
             .filter(quota__in=[q.pk for q in quotas], month=month)}
    return [found[q.pk] for q in quotas if q.pk in found]


def quota_planned_cap(*, last_year_committed: int, reduction: float) -> int:
    """年度硬性下降指标: floor(actual × (1 − reduction))."""
    return math.floor(last_year_committed * (1 - reduction) + 1e-9)


def ledger_drift(*, year: int | None = None) -> list[dict]:
    """Quotas (and monthly quotas) whose counters differ from the sum of their
    ledger entries. A monthly row carries its counter row in "month"."""
    quotas = Quota.objects.select_related("department").order_by("year", "department__code", "kind")
    months = MonthlyQuota.objects.select_related("quota__department").order_by(
        "quota__year", "quota__department__code", "quota__kind", "month")
    if year is not None:
        quotas, months = quotas.filter(year=year), months.filter(quota__year=year)
    entries = LedgerEntry.objects.filter(quota__in=quotas)
    totals = {"reserved": Sum("delta_reserved"), "committed": Sum("delta_committed"),
              "overridden": Sum("delta_overridden"), "flagged": Sum("delta_flagged")}
    annual = {row["quota"]: row for row in entries.filter(month__isnull=True).values("quota").annotate(**totals)}
    monthly = {row["month"]: row for row in entries.filter(month__isnull=False).values("month").annotate(**totals)}
    drift = _drift_of(quotas, annual, COUNTERS, lambda q: {"quota": q})
    return drift + _drift_of(months, monthly, HELD_COUNTERS, lambda m: {"quota": m.quota, "month": m})


def _drift_of(rows, sums, counters, name) -> list[dict]:
    drift = []
    for row in rows:
        totals = sums.get(row.pk, {})
        for counter in counters:
            expected = totals.get(counter) or 0
            actual = getattr(row, counter)
            if expected != actual:
                drift.append({**name(row), "counter": counter, "ledger": expected, "actual": actual})
    return drift
