"""Reads of flags: lists for pages and the API, and the figures the dashboard,
the department's page and the year-end report show (明减暗增 per department)."""

import datetime
from collections import Counter

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


# --- 逆向考核 ----------------------------------------------------------------------

def evaluation_figures(year: int) -> dict:
    """The published results of `year`'s reverse evaluation, for the dashboard,
    the department's view, the API and the year-end report:

    {"year", "threshold", "published": bool (the window has closed), "units": how
    many units rated at least one department (0 until published),
    "departments": {department_id: {"department": code, "name", "responses",
    "overall": mean of the four dimension means, "comments": how many comments,
    "dimensions": {dimension: {"mean", "distribution": {"1": n … "5": n}}}}}}

    Only departments rated by at least `threshold` units appear, and none before
    the window has closed: the small-number and the watch-it-move cases show
    nothing. No rater, unit or comment text is in it."""
    from django.conf import settings
    from django.db.models import Count, Q
    from django.utils import timezone

    from .evaluations import window_of
    from .models import Dimension, Rating

    threshold = settings.JIANFU["EVALUATION_MIN_RESPONSES"]
    window = window_of(year)
    result = {"year": year, "threshold": threshold, "units": 0, "departments": {},
              "published": bool(window and window.has_closed(timezone.now()))}
    if not result["published"]:
        return result
    ratings = Rating.objects.filter(year=year)
    counts = ratings.values("department_id").annotate(
        n=Count("id"), comments=Count("id", filter=~Q(comment="")))
    shown = {row["department_id"]: row for row in counts if row["n"] >= threshold}
    result["units"] = ratings.values("rater_key").distinct().count()
    for department_id, code, name, *scores in ratings.filter(department_id__in=shown).values_list(
            "department_id", "department__code", "department__name", *Dimension.values):
        row = result["departments"].setdefault(department_id, {
            "department": code, "name": name, "responses": shown[department_id]["n"],
            "comments": shown[department_id]["comments"],
            "dimensions": {d: {"distribution": {str(s): 0 for s in range(1, 6)}} for d in Dimension.values}})
        for dimension, score in zip(Dimension.values, scores):
            row["dimensions"][dimension]["distribution"][str(score)] += 1
    for row in result["departments"].values():
        for figures in row["dimensions"].values():
            total = sum(int(s) * n for s, n in figures["distribution"].items())
            figures["mean"] = round(total / row["responses"], 2)
        row["overall"] = round(sum(f["mean"] for f in row["dimensions"].values()) / len(Dimension.values), 2)
    return result


def evaluation_rows(year: int, departments=None) -> list[dict]:
    """The API's summary: one row per published department and dimension,
    {department, department_name, dimension, responses, mean, distribution}."""
    figures = evaluation_figures(year)
    ids = None if departments is None else {getattr(d, "pk", d) for d in departments}
    rows = []
    for department_id, row in sorted(figures["departments"].items(), key=lambda item: item[1]["department"]):
        if ids is not None and department_id not in ids:
            continue
        for dimension, values in row["dimensions"].items():
            rows.append({"department": row["department"], "department_name": row["name"],
                         "dimension": dimension, "responses": row["responses"], "mean": values["mean"],
                         "distribution": values["distribution"]})
    return rows


def released_comments(year: int, department_id: int) -> list[str]:
    """Comments the office released for a published department, in text order
    (not the order they were written, which could hint at who wrote them)."""
    return released_comments_of(year, evaluation_figures(year)).get(department_id, [])


def released_comments_of(year: int, figures: dict) -> dict[int, list[str]]:
    """{department id: its released comments, in text order} for the departments
    `figures` (evaluation_figures(year)) publishes, in one query."""
    from .models import Rating

    texts = (Rating.objects.filter(year=year, department_id__in=list(figures["departments"]))
             .exclude(released_text="").values_list("department_id", "released_text"))
    found: dict[int, list[str]] = {}
    for department_id, text in texts:
        found.setdefault(department_id, []).append(text)
    return {department_id: sorted(comments) for department_id, comments in found.items()}


def lowest_rated(year: int) -> set[int]:
    """The ids of the lowest-rated quarter (rounded up) of the departments whose
    `year` results are published, by overall mean, for plan_quotas --rating-cut.
    Departments tied with the last one taken are taken too: a tie is not broken
    by the alphabet. Unpublished departments are never cut."""
    import math

    rows = sorted(evaluation_figures(year)["departments"].items(), key=lambda item: item[1]["overall"])
    if not rows:
        return set()
    boundary = rows[math.ceil(len(rows) / 4) - 1][1]["overall"]
    return {pk for pk, row in rows if row["overall"] <= boundary}


# --- 监测点 ------------------------------------------------------------------------

def monitoring_figures(year: int) -> dict:
    """The burden index of every monitoring point for each month of `year`, for
    the dashboard's chart and the year-end report:

    {"year", "units": [{"unit": code, "name", "level", "months": {1…12: {
        "registered": items the gate registers for the unit that month (now),
        "reported": None, or once confirmed: registered items the unit confirmed
                    + its additions, "additions": n, "index": reported ÷ registered
                    (None without registered items), "confirmed": bool}}}],
     "survey": [{"question", "responses", "mean"}], "logs": confirmed logs}

    A point no longer active still shows the months it logged."""
    from django.db.models import Avg, Count

    from .models import MonitoringPoint, MonthlyLog, SurveyAnswer
    from .monitoring import items_between, registered_count

    logs = {(log.unit_id, log.month): log for log in MonthlyLog.objects.filter(year=year)
            .annotate(additions=Count("flags"))}
    points = MonitoringPoint.objects.select_related("unit").order_by("unit__code")
    units = []
    for point in points:
        if not point.active and not any(unit_id == point.unit_id for unit_id, _m in logs):
            continue
        # One query a point for the year, counted by month here (each item's planned_day
        # is the day items_in_month files it under).
        per_month = Counter(p.planned_day.month for p in items_between(
            point.unit, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)))
        months = {}
        for month in range(1, 13):
            registered = per_month[month]
            log = logs.get((point.unit_id, month))
            reported = None if log is None else registered_count(log.registered["totals"]) + log.additions
            months[month] = {"registered": registered, "reported": reported,
                             "additions": 0 if log is None else log.additions, "confirmed": log is not None,
                             "index": round(reported / registered, 2) if reported is not None and registered else None}
        units.append({"unit": point.unit.code, "name": point.unit.name, "level": point.unit.level, "months": months})
    survey = (SurveyAnswer.objects.filter(log__year=year).values("question__text", "question_id")
              .annotate(responses=Count("id"), mean=Avg("score")).order_by("question_id"))
    return {"year": year, "units": units, "logs": len(logs),
            "survey": [{"question": s["question__text"], "responses": s["responses"],
                        "mean": round(s["mean"], 2)} for s in survey]}

