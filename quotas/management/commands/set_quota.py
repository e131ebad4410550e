from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quotas.models import Department, Kind
from quotas.services import QuotaError, month_set_cap, quota_get, quota_set_cap


class Command(BaseCommand):
    help = (
        "Set one department's annual cap for one kind (设置年度总量); for inspections also a "
        "monthly cap (月度总量), for every month or for one (--month)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. JH-EDU")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--cap", type=int, help="annual cap (may be left out when only --monthly-cap changes)")
        parser.add_argument("--monthly-cap", type=int, dest="monthly_cap",
                            help="inspections only: on-site inspections reaching grassroots units per month")
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12",
                            help="with --monthly-cap: only this month (default: every month of the year)")

    def handle(self, *args, department, year, kind, cap, monthly_cap=None, month=None, **options):
        if cap is None and monthly_cap is None:
            raise CommandError("请给出 --cap 或 --monthly-cap (give --cap or --monthly-cap)")
        if month is not None and monthly_cap is None:
            raise CommandError("--month 须与 --monthly-cap 一起使用 (--month needs --monthly-cap)")
        try:
            dept = Department.objects.get(code=department)
        except Department.DoesNotExist:
            raise CommandError(f"没有代码为 {department} 的部门 (no department {department})") from None
        try:
            with transaction.atomic():  # all the caps given, or none
                self._set(dept, year, kind, cap, monthly_cap, month)
        except QuotaError as error:
            raise CommandError(str(error)) from None

    def _set(self, dept, year, kind, cap, monthly_cap, month):
        if cap is not None:
            quota, previous = quota_set_cap(department=dept, year=year, kind=kind, cap=cap)
            old = "—" if previous is None else previous
            self.stdout.write(f"{dept.code} {year} {kind}: cap {old} -> {quota.cap}")
        else:
            quota = quota_get(department=dept, year=year, kind=kind)
        if monthly_cap is not None:
            self._set_months(quota, [month] if month else range(1, 13), monthly_cap)

    def _set_months(self, quota, months, cap):
        for month in months:
            counter, previous = month_set_cap(quota=quota, month=month, cap=cap)
            old = "—" if previous is None else previous
            self.stdout.write(f"{quota.department.code} {quota.year} {quota.kind} month {month}: "
                              f"monthly cap {old} -> {counter.cap}")
