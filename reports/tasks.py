from django_tasks import task

from . import services


@task()
def generate_report(report_id: int) -> str:
    """Render one requested report in the background (`manage.py db_worker` runs it)."""
    return services.report_generate(report_id=report_id).status
