"""Requesting and generating compliance reports: the only code that writes Report rows.

A report of a closed year is made once and then served as stored (bytes and
fingerprint); regenerating it is an explicit request that makes a new numbered
version beside the old one. A report of the year in progress is provisional:
it is reused while its fingerprint still matches the data, and made anew when
the data moved on.
"""

import datetime
import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from quotas.models import Department, Role

from . import fingerprint, render
from .figures import year_end
from .models import Report, ReportStatus
from .pdf import ReportError

logger = logging.getLogger(__name__)

# A queued or running report older than this is presumed lost with its worker.
STALE_AFTER = datetime.timedelta(minutes=30)
IN_PROGRESS = (ReportStatus.QUEUED, ReportStatus.RUNNING)


def data_fingerprint(*, year: int, department, reduction) -> str:
    return fingerprint.compute(year=year, department=department, reduction=reduction)


def is_closed(year: int) -> bool:
    return timezone.now() >= year_end(year)


def report_issuer() -> Department | None:
    """发文机关 of the report, from data: the department named by
    settings.JIANFU["REPORT_ISSUER"], else the department of the review office
    (a non-issuing department whose members review)."""
    code = settings.JIANFU.get("REPORT_ISSUER", "")
    if code:
        return Department.objects.filter(code=code).first()
    return (Department.objects.filter(issues_proposals=False, members__groups__name=Role.REVIEWER)
            .order_by("code").first())


def report_number(*, year: int, seq: int) -> str:
    issuer = report_issuer()
    abbr = (issuer.issuer_abbr if issuer else "") or _("减负")
    return f"{abbr}报〔{year}〕{seq}号"


def report_request(*, year: int, department, reduction, by, regenerate: bool = False,
                   run=None) -> tuple[Report, bool]:
    """Queue a report, or return the one already made. Returns (report, reused).
    `run(report_id)`, when given, generates it in this process instead of the task queue."""
    reduction = Decimal(str(reduction)).quantize(Decimal("0.01"))
    same = Report.objects.defer("pdf").filter(year=year, department=department, reduction=reduction)
    recent = same.filter(status__in=IN_PROGRESS, created_at__gte=timezone.now() - STALE_AFTER)
    if not regenerate:
        if is_closed(year):
            # Only a report made after the year closed is the year's report; one made
            # while it was running stays what it was, provisional.
            stored = same.filter(status=ReportStatus.DONE, provisional=False).order_by("-version").first()
            if stored is not None or (stored := recent.first()) is not None:
                return stored, True
        else:
            current = data_fingerprint(year=year, department=department, reduction=reduction)
            cached = (same.filter(status=ReportStatus.DONE, fingerprint=current, layout=render.LAYOUT).first()
                      or recent.filter(fingerprint=current).first())
            if cached is not None:
                return cached, True
    report = _numbered(year=year, department=department, reduction=reduction, by=by)
    if run is not None:
        run(report.pk)
    else:
        from .tasks import generate_report

        generate_report.enqueue(report.pk)
    return report, False


def _numbered(*, year, department, reduction, by) -> Report:
    """A new report row with the year's next number and the scope's next version.
    Two requests at once may pick the same sequence: the unique constraint
    refuses the second, which takes the next one."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                seq = (Report.objects.filter(year=year).aggregate(m=Max("seq"))["m"] or 0) + 1
                version = Report.objects.filter(year=year, department=department,
                                                reduction=reduction).count() + 1
                return Report.objects.create(
                    year=year, department=department, reduction=reduction, requested_by=by,
                    seq=seq, number=report_number(year=year, seq=seq), version=version,
                    step=_("排队等待生成"),
                )
        except IntegrityError:
            continue
    raise ReportError(_("报告编号分配冲突，请重试。"))


def _set(report_id: int, **fields) -> None:
    Report.objects.filter(pk=report_id).update(**fields)


def report_generate(*, report_id: int, progress=None) -> Report:
    """Render a queued report, recording progress as it goes; never raises for a failed render."""
    # Claim it with a guarded UPDATE: a task delivered twice renders once.
    if not Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=1, step=_("开始生成")
    ):
        return Report.objects.defer("pdf").get(pk=report_id)
    report = Report.objects.defer("pdf").select_related("department").get(pk=report_id)
    try:
        made = render.generate(
            year=report.year, department=report.department, reduction=report.reduction,
            meta=render.Meta(number=report.number, version=report.version, issuer=report_issuer()),
            progress=lambda percent, step: (_set(report_id, progress=percent, step=step),
                                            progress and progress(percent, step)),
        )
    except ReportError as refused:
        _set(report_id, status=ReportStatus.FAILED, error=str(refused), finished_at=timezone.now())
    except Exception:
        logger.exception("compliance report %s failed", report_id)
        _set(report_id, status=ReportStatus.FAILED, finished_at=timezone.now(),
             error=_("生成报告时发生内部错误，请联系系统管理员。"))
    else:
        _set(report_id, status=ReportStatus.DONE, pdf=made.pdf, pages=made.pages, progress=100,
             fingerprint=made.data.fingerprint, data_as_of=made.data.data_as_of,
             provisional=made.data.provisional, sha256=hashlib.sha256(made.pdf).hexdigest(),
             summary=made.summary, layout=render.LAYOUT, step=_("已完成"), finished_at=timezone.now())
    return Report.objects.defer("pdf").get(pk=report_id)
