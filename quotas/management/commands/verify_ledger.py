import sys

from django.core.management.base import BaseCommand

from quotas.services import ledger_drift


class Command(BaseCommand):
    help = "Recompute every quota's (and monthly quota's) counters from its ledger entries; exit 1 on any drift."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)

    def handle(self, *args, year=None, **options):
        drift = ledger_drift(year=year)
        for row in drift:
            quota = row["quota"]
            month = f" month {row['month'].month}" if row.get("month") else ""
            self.stdout.write(
                f"DRIFT {quota.department.code} {quota.year} {quota.kind}{month} {row['counter']}: "
                f"counter {row['actual']} != ledger {row['ledger']}"
            )
        if drift:
            self.stdout.write(f"台账不一致：{len(drift)} 处 (ledger drift found)")
            sys.exit(1)
        self.stdout.write("台账一致 (ledger OK)")
