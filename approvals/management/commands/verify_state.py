import sys

from django.core.management.base import BaseCommand

from approvals.integrity import state_problems


class Command(BaseCommand):
    help = (
        "Check that every open proposal has exactly one open task, closed ones none, and "
        "that each quota's counters equal the slots proposals hold; exit 1 on any problem."
    )

    def handle(self, *args, **options):
        problems = state_problems()
        for line in problems:
            self.stdout.write(line)
        if problems:
            self.stdout.write(f"状态不一致：{len(problems)} 处 (state problems found)")
            sys.exit(1)
        self.stdout.write("状态一致 (state OK)")
