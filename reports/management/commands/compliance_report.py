import os
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department
from reports import render
from reports.pdf import ReportError


def reduction_arg(value: str) -> Decimal:
    try:
        reduction = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not 0 <= reduction < 1:
        raise ValueError(value)
    return reduction


class Command(BaseCommand):
    help = "Write the year-end compliance report (年度减负合规报告) as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="PDF file to write (replaced atomically)")
        parser.add_argument("--department", help="department code; all departments if omitted")
        parser.add_argument("--reduction", type=reduction_arg, default=DEFAULT_REDUCTION,
                            help="required year-over-year reduction, 0 ≤ r < 1 (default %s)" % DEFAULT_REDUCTION)
        parser.add_argument("--jobs", type=int, help="render processes (default: settings, at most 2)")

    def handle(self, *args, year, output, department=None, reduction, jobs=None, **options):
        scope = None
        if department:
            scope = Department.objects.filter(code=department).first()
            if scope is None:
                raise CommandError(f"没有代码为 {department} 的部门 (no such department)")
        target = Path(output)
        try:
            document, pages = render.generate(
                year=year, department=scope, reduction=reduction, jobs=jobs, progress=self.progress,
            )
            write_atomically(target, document)
        except ReportError as refused:
            raise CommandError(str(refused)) from None
        self.progress(100, "完成")
        sys.stderr.write("\n")
        self.stdout.write(f"{target}: {pages} 页 ({pages} pages)")

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
