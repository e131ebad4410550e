from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .access import sees_all_departments
from .selectors import quota_list
from .models import Quota

# Gauges a page: 20 departments' documents, meetings and inspections. The office
# sees every department's quotas, 1,500 of them at a province's 500 departments:
# rendered on one page they took ~1 s.
GAUGES_PER_PAGE = 60


@login_required
def dashboard(request):
    """Each quota as a gauge: cap, reserved, committed, remaining, breaker state."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    page = Paginator(quota_list(user=request.user, year=year), GAUGES_PER_PAGE).get_page(request.GET.get("page"))
    years = Quota.objects.values_list("year", flat=True).distinct().order_by("-year")
    return render(request, "quotas/dashboard.html", {
        "quotas": page.object_list, "page": page, "query": f"year={year}", "year": year, "years": years,
        "all_departments": sees_all_departments(request.user),
    })
