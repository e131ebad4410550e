from django.core.management.base import BaseCommand, CommandError

from quotas.models import Department, Kind
from quotas.services import QuotaError, quota_set_cap


class Command(BaseCommand):
    help = "Set one department's annual cap for one kind (设置年度总量)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. JH-EDU")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--cap", type=int, required=True)

    def handle(self, *args, department, year, kind, cap, **options):
        try:
            dept = Department.objects.get(code=department)
        except Department.DoesNotExist:
            raise CommandError(f"没有代码为 {department} 的部门 (no department {department})") from None
        try:
            quota, previous = quota_set_cap(department=dept, year=year, kind=kind, cap=cap)
        except QuotaError as error:
            raise CommandError(str(error)) from None
        old = "—" if previous is None else previous
        self.stdout.write(f"{dept.code} {year} {kind}: cap {old} -> {quota.cap}")
