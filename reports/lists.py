"""The report's lists and burden measures: blocked attempts, items rejected,
withdrawn or cancelled, approved items never completed, what the approved
items ask of grassroots units, and 明减暗增 flags when grassroots is installed.
Every list is in date order, then id: the same on SQLite and PostgreSQL."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from approvals.models import SHANGHAI, Proposal, State
from quotas.models import Kind, LedgerAction, LedgerEntry

RELEASED_STATES = (State.REJECTED, State.WITHDRAWN, State.CANCELLED)
DONE_STATES = (State.APPROVED, State.COMPLETED)


@dataclass
class Row:
    day: datetime.date | None
    department: str
    kind: str
    title: str
    note: str = ""

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _day(p) -> datetime.date | None:
    return p.planned_day


def add_lists(data, scopes: dict) -> None:
    proposals = list(
        Proposal.objects.filter(quota__year=data.year, quota__department__in=list(scopes))
        .select_related("quota__department")
    )
    proposals.sort(key=lambda p: (_day(p) or datetime.date.min, p.pk))
    today = timezone.localdate()
    data.released = [
        Row(_day(p), p.quota.department.name, p.kind, p.title, p.get_state_display())
        for p in proposals if p.state in RELEASED_STATES
    ]
    data.not_completed = [
        Row(_day(p), p.quota.department.name, p.kind, p.title,
            "日期已过，未登记办结" if _day(p) and _day(p) < today else "尚未到期")
        for p in proposals if p.state == State.APPROVED
    ]
    data.blocked_attempts = _blocked(data.year, scopes)
    data.burden = burden([p for p in proposals if p.state in DONE_STATES])


def _blocked(year: int, scopes: dict) -> list[Row]:
    entries = (
        LedgerEntry.objects.filter(quota__department__in=list(scopes), quota__year=year,
                                   action=LedgerAction.BLOCKED)
        .select_related("quota__department", "month").order_by("created_at", "id")
    )
    titles = dict(Proposal.objects.filter(
        pk__in=[e.source_id for e in entries if e.source_id]).values_list("pk", "title"))
    return [
        Row(e.created_at.astimezone(SHANGHAI).date(), e.quota.department.name, e.quota.kind,
            titles.get(e.source_id, "—"), _blocked_at(e))
        for e in entries
    ]


def _blocked_at(entry) -> str:
    """The counters that refused: the year's, or a month's (a monthly inspection cap)."""
    used = entry.reserved_after + entry.committed_after
    if entry.month is not None:
        return f"{entry.month.month} 月月度总量 {entry.cap_after}，已占用 {used}"
    return f"总量 {entry.cap_after}，已占用 {used}"


def burden(done: list) -> dict:
    """What the approved and completed items ask of grassroots units."""
    documents = [p for p in done if p.kind == Kind.DOCUMENT]
    meetings = [p for p in done if p.kind == Kind.MEETING]
    lengths = [p.length_chars for p in documents if p.length_chars]
    return {
        "documents": len(documents),
        "length_total": sum(lengths),
        "length_average": round(sum(lengths) / len(lengths)) if lengths else 0,
        "length_max": max(lengths, default=0),
        "comprehensive": sum(1 for p in documents if p.doc_category == "comprehensive"),
        "forms_documents": sum(1 for p in documents if p.forms_required),
        "forms_total": sum(p.forms_required for p in documents),
        "one_vote_veto": sum(1 for p in documents if p.one_vote_veto),
        "responsibility_pledge": sum(1 for p in documents if p.responsibility_pledge),
        "meetings": len(meetings),
        "video": sum(1 for p in meetings if p.meeting_format == "video"),
        "township": sum(p.attendees_township for p in meetings),
        "village": sum(p.attendees_village for p in meetings),
        "principals": sum(1 for p in meetings if p.principals_required),
    }


def flag_table(data, scopes: dict) -> dict | None:
    """明减暗增 per department from grassroots.selectors.flag_figures, or None
    when that app is not installed."""
    if not apps.is_installed("grassroots"):
        return None
    try:
        from grassroots.models import Channel
        from grassroots.selectors import flag_figures
    except ImportError:
        return None
    figures = flag_figures(data.year, departments=list(scopes))
    channels = dict(Channel.choices)
    return {
        "rows": [
            {"department": scopes[pk].department.name, **row,
             "channels": "、".join(f"{channels.get(c, c)} {n}" for c, n in sorted(row["by_channel"].items())
                                  if n) or "—"}
            for pk, row in sorted(figures.items(), key=lambda item: scopes[item[0]].department.code)
        ],
    }
