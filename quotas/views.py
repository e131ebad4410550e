from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .access import sees_all_departments
from .selectors import quota_list
from .models import Quota


@login_required
def dashboard(request):
    """Each quota as a gauge: cap, reserved, committed, remaining, breaker state."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    quotas = quota_list(user=request.user, year=year)
    years = Quota.objects.values_list("year", flat=True).distinct().order_by("-year")
    return render(request, "quotas/dashboard.html", {
        "quotas": quotas, "year": year, "years": years,
        "all_departments": sees_all_departments(request.user),
    })
