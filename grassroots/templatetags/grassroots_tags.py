"""The receiving end's part of other pages: the dashboard's panel (逆向考核
results, the burden index chart, 整改 items) and the burden chart itself."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from quotas.access import sees_all_departments

from .. import policy, rectifications, selectors
from ..models import RectificationState

register = template.Library()

BAR, GAP, HEIGHT = 8, 6, 60


@register.inclusion_tag("grassroots/burden_chart.html")
def burden_chart(figures):
    """Per monitoring point, a bar pair per month — registered (grey) and reported
    (red) — drawn server-side as inline SVG, scaled to the largest count shown."""
    top = max([1] + [v for u in figures["units"] for m in u["months"].values()
                     for v in (m["registered"], m["reported"] or 0)])
    rows = []
    for unit in figures["units"]:
        bars = []
        for month, m in unit["months"].items():
            x = (month - 1) * (2 * BAR + GAP)
            for n, (kind, value) in enumerate((("registered", m["registered"]), ("reported", m["reported"] or 0))):
                h = round(HEIGHT * value / top)
                bars.append({"kind": kind, "x": x + n * BAR, "y": HEIGHT - h, "h": h, "value": value, "month": month})
        rows.append({"unit": unit, "bars": bars})
    return {"rows": rows, "width": 12 * (2 * BAR + GAP), "height": HEIGHT, "months": range(1, 13),
            "year": figures["year"]}


@register.inclusion_tag("grassroots/dashboard_panel.html", takes_context=True)
def grassroots_panel(context, year):
    user = context["request"].user
    evaluation = selectors.evaluation_figures(year)
    office = sees_all_departments(user)
    # Everyone's rows for the office (it sees every department: no query needed);
    # a department's own row for its people.
    rows = sorted((row for pk, row in evaluation["departments"].items() if office or pk == user.department_id),
                  key=lambda row: row["overall"])
    counts = rectifications.visible_rectifications(user).exclude(state=RectificationState.CLOSED).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    return {"year": year, "evaluation": evaluation, "rows": rows, "reporter": policy.may_file(user),
            "monitoring": selectors.monitoring_figures(year) if office else None,
            "open_items": counts["open"], "overdue_items": counts["overdue"]}
