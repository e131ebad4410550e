"""Reads of flags: lists for pages and the API, and the figures the dashboard,
the department's page and the year-end report show (明减暗增 per department)."""

import datetime

from django.db.models import Count, QuerySet

from .models import Channel, Flag, FlagState
from .policy import visible_flags


def flag_list(*, user, state: str | None = None, issuer: str | None = None,
              year: int | None = None) -> QuerySet:
    """What `user` may see (grassroots.policy), filtered; oldest open first for
    the office's queue, newest first otherwise. `issuer` is a department code;
    `year` the year received."""
    flags = visible_flags(user)
    if state:
        flags = flags.filter(state=state)
    if issuer:
        flags = flags.filter(issuer__code=issuer)
    if year is not None:
        flags = flags.filter(received_on__year=year)
    if state == FlagState.OPEN:
        return flags.order_by("due_on", "id")
    return flags.order_by("-filed_at", "-id")


def _empty() -> dict:
    return {"filed": 0, "open": 0, "confirmed": 0, "dismissed": 0, "matched": 0,
            "by_channel": {channel: 0 for channel in Channel.values}}


def flag_figures(year: int, departments=None) -> dict[int, dict]:
    """明减暗增 per issuing department for the flags received in `year`:
    {department_id: {filed, open, confirmed, dismissed, matched, by_channel: {channel: n}}}
    where by_channel counts the confirmed ones. `departments` (instances or ids)
    limits the answer and gives every one of them a row, zeros included; without
    it, only departments with flags appear. Two queries, whatever the size."""
    first, after = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    flags = Flag.objects.filter(received_on__gte=first, received_on__lt=after)
    figures = {}
    if departments is not None:
        ids = [getattr(d, "pk", d) for d in departments]
        flags = flags.filter(issuer_id__in=ids)
        figures = {pk: _empty() for pk in ids}
    for row in flags.values("issuer_id", "state").annotate(n=Count("id")):
        row_figures = figures.setdefault(row["issuer_id"], _empty())
        row_figures["filed"] += row["n"]
        row_figures[row["state"]] += row["n"]
    confirmed = flags.filter(state=FlagState.CONFIRMED)
    for row in confirmed.values("issuer_id", "channel").annotate(n=Count("id")):
        figures[row["issuer_id"]]["by_channel"][row["channel"]] = row["n"]
    return figures


def overdue(flags: QuerySet, today: datetime.date) -> QuerySet:
    return flags.filter(state=FlagState.OPEN, due_on__lt=today)
