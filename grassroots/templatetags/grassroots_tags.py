"""The receiving end's part of other pages: the dashboard's panel (逆向考核 results)."""

from django import template

from quotas.access import visible_departments

from .. import policy, selectors

register = template.Library()


@register.inclusion_tag("grassroots/dashboard_panel.html", takes_context=True)
def grassroots_panel(context, year):
    user = context["request"].user
    evaluation = selectors.evaluation_figures(year)
    visible = set(visible_departments(user).values_list("pk", flat=True))
    rows = sorted((row for pk, row in evaluation["departments"].items() if pk in visible),
                  key=lambda row: row["overall"])
    return {"year": year, "evaluation": evaluation, "rows": rows, "reporter": policy.may_file(user)}
