"""Background jobs (django-tasks, database backend; `manage.py db_worker` runs
them). Enqueued after a transition commits, and daily by `manage.py notify_daily`."""

from django_tasks import task

from . import services


@task()
def notify_event(event_id: int) -> int:
    return services.notify_event(event_id)


@task()
def remind_overdue() -> int:
    return services.remind_overdue()


@task()
def office_digest() -> int:
    return services.office_digest()
