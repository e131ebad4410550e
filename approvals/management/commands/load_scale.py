import time

from django.core.management.base import BaseCommand

from approvals import scale


class Command(BaseCommand):
    help = ("Load a province's worth of data in bulk (for benchmarks): departments, users, quotas per year, "
            "proposals in every state with their audit trail, engine tasks, ledger and 减负备案号.")

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, default=500)
        parser.add_argument("--proposals", type=int, default=20000)
        parser.add_argument("--years", type=int, default=1,
                            help="spread the proposals over this many years, ending with the current one")
        parser.add_argument("--password", help="set this password on the scale_* users")

    def handle(self, *args, departments, proposals, years, password=None, **options):
        started = time.perf_counter()
        scale.build(departments=departments, proposals=proposals, years=years, password=password)
        self.stdout.write(f"Loaded {departments} departments and {proposals} proposals over {years} year(s) "
                          f"in {time.perf_counter() - started:.1f} s.")
