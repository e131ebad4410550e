"""Requesting and generating compliance reports: the only code that writes Report rows."""

import datetime
import hashlib
import logging
from decimal import Decimal

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Proposal, ProposalEvent
from quotas.models import Department, LedgerEntry, Quota

from . import render
from .models import Report, ReportStatus
from .pdf import ReportError

logger = logging.getLogger(__name__)

# Bump when the report's layout or figures change, so cached PDFs are not reused.
REPORT_VERSION = "1"
# A queued or running report older than this is presumed lost with its worker.
STALE_AFTER = datetime.timedelta(minutes=30)


def data_fingerprint(*, year: int, department, reduction) -> str:
    """Changes whenever anything the report shows may have changed.

    Every counter change writes a ledger entry and every step an event, and
    proposal edits touch updated_at, so these aggregates are enough.
    """
    parts = [
        REPORT_VERSION, year, department.pk if department else "all", f"{reduction:.2f}",
        LedgerEntry.objects.aggregate(n=Count("id"), last=Max("id")),
        ProposalEvent.objects.aggregate(n=Count("id"), last=Max("id")),
        Proposal.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Quota.objects.aggregate(n=Count("id"), last=Max("id")),
        list(Department.objects.order_by("pk").values_list("pk", "code", "name", "issues_proposals")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def report_request(*, year: int, department, reduction, by) -> tuple[Report, bool]:
    """Queue a report, or return the one already made (or being made) from the
    same data. Returns (report, reused)."""
    reduction = Decimal(str(reduction)).quantize(Decimal("0.01"))
    fingerprint = data_fingerprint(year=year, department=department, reduction=reduction)
    same = Report.objects.defer("pdf").filter(
        year=year, department=department, reduction=reduction, fingerprint=fingerprint
    )
    cached = same.filter(status=ReportStatus.DONE).first() or same.filter(
        status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if cached is not None:
        return cached, True
    # Committed before it is enqueued, so a worker on another host finds the row.
    report = Report.objects.create(
        year=year, department=department, reduction=reduction, requested_by=by,
        fingerprint=fingerprint, step=_("排队等待生成"),
    )
    from .tasks import generate_report

    generate_report.enqueue(report.pk)
    return report, False


def _set(report_id: int, **fields) -> None:
    Report.objects.filter(pk=report_id).update(**fields)


def report_generate(*, report_id: int) -> Report:
    """Render a queued report, recording progress as it goes; never raises for a failed render."""
    # Claim it with a guarded UPDATE: a task delivered twice renders once.
    if not Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=1, step=_("开始生成")
    ):
        return Report.objects.defer("pdf").get(pk=report_id)
    report = Report.objects.defer("pdf").select_related("department").get(pk=report_id)
    # The data may have moved on since the request: fingerprint what is rendered.
    _set(report_id, fingerprint=data_fingerprint(
        year=report.year, department=report.department, reduction=report.reduction))
    try:
        document, pages = render.generate(
            year=report.year, department=report.department, reduction=report.reduction,
            progress=lambda percent, step: _set(report_id, progress=percent, step=step),
        )
    except ReportError as refused:
        _set(report_id, status=ReportStatus.FAILED, error=str(refused), finished_at=timezone.now())
    except Exception:
        logger.exception("compliance report %s failed", report_id)
        _set(report_id, status=ReportStatus.FAILED, finished_at=timezone.now(),
             error=_("生成报告时发生内部错误，请联系系统管理员。"))
    else:
        _set(report_id, status=ReportStatus.DONE, pdf=document, pages=pages, progress=100,
             step=_("已完成"), finished_at=timezone.now())
    return Report.objects.defer("pdf").get(pk=report_id)
