"""Load the demo (fixtures/demo.json) and build quotas and history relative to today."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from approvals import demo
from quotas.models import Department, Quota, User

DEMO_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Load demo departments, accounts, rules and quotas (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="do nothing if the database already has departments (first start only)",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Department.objects.exists():
            self.stdout.write("Database already has data; demo not loaded.")
            return
        call_command("loaddata", settings.BASE_DIR / "fixtures" / "demo.json", verbosity=0)
        with transaction.atomic():
            # loaddata leaves the fixture's unusable password; set the demo one.
            for user in User.objects.filter(username__in=demo.USERNAMES):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        this_year = timezone.localdate().year
        if Quota.objects.filter(year=this_year - 1).exists():
            self.stdout.write("Demo data already loaded; accounts refreshed.")
            return
        demo.build_history(this_year=this_year)
        self.stdout.write(
            f"Demo loaded: quotas for {this_year - 1} and {this_year}, "
            f"password {DEMO_PASSWORD!r} for every demo account."
        )
