"""manage.py verify_report FILE.pdf: does this report still match the database?

Exit 0: the file is a report of this system and the fingerprint recomputed from
the database equals the one it carries (and, when the system stored it, the
file is byte for byte the stored one). Exit 1: it does not match. Exit 2: the
file is not a report of this system (or not readable).
"""

import hashlib
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand

from quotas.models import Department
from reports import fingerprint, pdf
from reports.models import Report, ReportStatus


class Command(BaseCommand):
    help = "Recompute a compliance report's SHA-256 fingerprint from the database: exit 0 match, 1 no match, 2 not a report."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as f:
                document = f.read()
        except OSError as error:
            self.fail(2, f"无法读取 {file}：{error.strerror} (cannot read)")
        info = pdf.read_metadata(document)
        if info is None:
            self.fail(2, f"{file} 不是本系统生成的合规报告 (not a report of this system)")
        department = None
        if info.get("department"):
            department = Department.objects.filter(code=info["department"]).first()
            if department is None:
                self.fail(1, f"报告所属部门 {info['department']} 已不存在 (department gone): 不一致")
        recomputed = fingerprint.compute(year=int(info["year"]), department=department,
                                         reduction=Decimal(info["reduction"]))
        self.stdout.write(f"报告 {info.get('number') or '（未编号）'} 第{info.get('version')}版，"
                          f"{info['year']} 年度，数据截至 {info.get('data_as_of')}")
        self.stdout.write(f"文件中的指纹 {info.get('fingerprint')}")
        self.stdout.write(f"数据库重算   {recomputed}")
        if recomputed != info.get("fingerprint"):
            self.fail(1, "不一致：生成之后数据已有变化，或文件被改动 (does not match the database)")
        stored = Report.objects.filter(number=info.get("number"), year=info["year"],
                                       status=ReportStatus.DONE).exclude(number="").first()
        if stored is not None and stored.sha256 != hashlib.sha256(document).hexdigest():
            self.fail(1, f"不一致：文件与系统存档的 {stored.number} 第{stored.version}版不是同一份 (file differs from the stored one)")
        self.stdout.write("一致：文件与数据库相符 (matches)")

    def fail(self, code: int, message: str):
        self.stderr.write(message)
        sys.exit(code)
