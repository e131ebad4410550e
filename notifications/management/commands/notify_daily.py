"""Enqueue the day's overdue reminders and the review office's 督办 digest.

Run once a day from cron or a systemd timer, e.g. `30 8 * * 1-5 manage.py
notify_daily`; `manage.py db_worker` does the work. Running it twice a day adds
nothing: each reminder and digest has its own key per step and day."""

from django.core.management.base import BaseCommand

from notifications.tasks import office_digest, remind_overdue


class Command(BaseCommand):
    help = "Enqueue overdue reminders and the 督办 digest (idempotent per day)."

    def handle(self, *args, **options):
        results = [remind_overdue.enqueue(), office_digest.enqueue()]
        self.stdout.write("enqueued: " + ", ".join(str(r.id) for r in results))
