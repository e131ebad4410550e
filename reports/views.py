from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .access import may_use_reports
from .forms import ReportForm
from .models import Report, ReportStatus
from .services import report_request


def report_role_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_use_reports(request.user):
            raise PermissionDenied(_("只有减负办、领导小组和监督考核人员可以生成合规报告。"))
        return view(request, *args, **kwargs)

    return wrapper


def _recent():
    return Report.objects.defer("pdf").select_related("department", "requested_by")[:20]


@require_GET
@report_role_required
def index(request):
    return render(request, "reports/index.html", {"form": ReportForm(), "reports": _recent()})


@require_POST
@report_role_required
def generate(request):
    """Start a background generation; the PDF itself is only ever served by GET."""
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/index.html", {"form": form, "reports": _recent()}, status=400)
    report, reused = report_request(
        year=form.cleaned_data["year"], department=form.cleaned_data["department"],
        reduction=form.cleaned_data["reduction"], by=request.user,
        regenerate=form.cleaned_data["regenerate"],
    )
    if reused and report.provisional is False and report.status == ReportStatus.DONE:
        messages.info(request, _("该年度已结束，报告已存档，按存档下载；如需新版本请勾选“重新生成”。"))
    elif reused:
        messages.info(request, _("数据自上次生成以来没有变化，沿用已有报告。"))
    return redirect("reports:detail", pk=report.pk)


@require_GET
@report_role_required
def detail(request, pk):
    report = get_object_or_404(Report.objects.defer("pdf").select_related("department", "requested_by"), pk=pk)
    return render(request, "reports/detail.html", {"report": report})


@require_GET
@report_role_required
def download(request, pk):
    report = get_object_or_404(Report, pk=pk, status=ReportStatus.DONE)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    response["Cache-Control"] = "private, no-store"
    return response
