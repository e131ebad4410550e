import json
import os
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department
from reports import services
from reports.models import Report, ReportStatus


def reduction_arg(value: str) -> Decimal:
    try:
        reduction = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not 0 <= reduction < 1:
        raise ValueError(value)
    return reduction


class Command(BaseCommand):
    help = ("Write the year-end compliance report (年度减负合规报告) as a PDF, and its figures as JSON. "
            "A closed year's report is made once and written as stored; --regenerate makes a new version.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="PDF file to write (replaced atomically)")
        parser.add_argument("--json", dest="json_output", help="also write the figures (the API's summary) here")
        parser.add_argument("--department", help="department code; all departments if omitted")
        parser.add_argument("--reduction", type=reduction_arg, default=DEFAULT_REDUCTION,
                            help="required year-over-year reduction, 0 ≤ r < 1 (default %s)" % DEFAULT_REDUCTION)
        parser.add_argument("--regenerate", action="store_true",
                            help="make a new numbered version even if one is stored")

    def handle(self, *args, year, output, json_output=None, department=None, reduction, regenerate=False, **options):
        scope = None
        if department:
            scope = Department.objects.filter(code=department).first()
            if scope is None:
                raise CommandError(f"没有代码为 {department} 的部门 (no such department)")
        # The task runs here, in this process (the command is its own worker).
        report, reused = services.report_request(year=year, department=scope, reduction=reduction, by=None,
                                                 regenerate=regenerate, run=self.run)
        report = Report.objects.get(pk=report.pk)
        if report.status != ReportStatus.DONE:
            raise CommandError(report.error or f"报告 {report.number} 尚未生成完毕（{report.get_status_display()}）")
        write_atomically(Path(output), bytes(report.pdf))
        self.progress(100, "完成")
        if json_output:
            write_atomically(Path(json_output), json.dumps(report.summary, ensure_ascii=False, indent=2).encode())
        sys.stderr.write("\n")
        how = "沿用已存档版本 (stored)" if reused else "新生成 (new)"
        self.stdout.write(f"{output}: {report.number} 第{report.version}版，{report.pages} 页，{how}；"
                          f"SHA-256 {report.fingerprint}")

    def run(self, report_id: int) -> None:
        services.report_generate(report_id=report_id, progress=self.progress)

    def progress(self, percent: int, step: str) -> None:
        filled = percent * 30 // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {step:<24}")
        sys.stderr.flush()


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: readers see
    the old file or the whole new one, and a failure leaves no partial file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
