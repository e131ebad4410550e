"""The pages the province-scale bench times (bench/pages_bench.py) and the scale
test counts queries of (tests/test_scale_pages.py), on `approvals.scale` data."""

from django.utils import timezone

from quotas.models import User
from reports import figures

from . import todo
from .models import Proposal, State


def pages(prefix: str = "scale") -> list[tuple]:
    """What bench/pages_bench.py times and tests/test_scale_pages.py counts, on the
    data of `scale.build(prefix=…)`: (name, page, who, user, target) for each page, where
    `target` is the URL `user` gets, or a function that gathers the report's data."""
    def person(who):
        return User.objects.get(username=f"{prefix}_{who}")

    def of_department_with(state, role):
        """`role` of the first department with an item in `state`: someone with work to do."""
        mine = Proposal.objects.filter(state=state, department__code__startswith=f"{prefix.upper()}-")
        return User.objects.get(username__startswith=f"{prefix}_{role}_", department=mine.earliest("pk").department_id)

    clerk, head = of_department_with(State.RETURNED, "clerk"), of_department_with(State.HEAD_REVIEW, "head")
    reviewer, leader, auditor = person("reviewer_0"), person("leader_0"), person("auditor_0")
    waiting = todo.waiting(reviewer).first()
    assert waiting is not None and waiting.state == State.OFFICE_REVIEW
    visible = Proposal.objects.exclude(state=State.DRAFT).count()  # the auditor's list
    last_page = (visible + 49) // 50
    meetings = Proposal.objects.filter(kind="meeting", state=State.COMPLETED).count()
    last_costs = max(1, (meetings + 49) // 50)  # (a page past the end shows the last one)
    this_year = timezone.localdate().year
    done_pages = max(1, (todo.done_by(reviewer).count() + 49) // 50)

    def report_data(year):
        return lambda: figures.collect(year=year, department=None)

    return [
        ("dashboard clerk", "/", "clerk", clerk, "/"),
        ("dashboard head", "/", "head", head, "/"),
        ("dashboard reviewer", "/", "reviewer", reviewer, "/"),
        ("dashboard auditor", "/", "auditor", auditor, "/"),
        ("todo reviewer", "/proposals/todo/", "reviewer", reviewer, "/proposals/todo/"),
        ("todo leader", "/proposals/todo/", "leader", leader, "/proposals/todo/"),
        ("todo head", "/proposals/todo/", "head", head, "/proposals/todo/"),
        ("todo clerk", "/proposals/todo/", "clerk", clerk, "/proposals/todo/"),
        ("done reviewer", "/proposals/todo/?tab=done", "reviewer", reviewer, "/proposals/todo/?tab=done"),
        ("done reviewer deep", "/proposals/todo/?tab=done&page=<last>", "reviewer", reviewer,
         f"/proposals/todo/?tab=done&page={done_pages}"),
        ("mine clerk", "/proposals/todo/?tab=mine", "clerk", clerk, "/proposals/todo/?tab=mine"),
        ("list auditor", "/proposals/", "auditor", auditor, "/proposals/"),
        ("list auditor deep", "/proposals/?page=<last>", "auditor", auditor, f"/proposals/?page={last_page}"),
        ("list clerk", "/proposals/", "clerk", clerk, "/proposals/"),
        ("api list auditor", "/api/v1/proposals/", "auditor", auditor, "/api/v1/proposals/"),
        ("api list auditor deep", "/api/v1/proposals/?page=<last>", "auditor", auditor,
         f"/api/v1/proposals/?page={last_page}"),
        ("api tasks reviewer", "/api/v1/tasks/", "reviewer", reviewer, "/api/v1/tasks/"),
        ("decision page", "/proposals/<oldest waiting>/", "reviewer", reviewer, f"/proposals/{waiting.pk}/"),
        ("api detail", "/api/v1/proposals/<oldest waiting>/", "reviewer", reviewer,
         f"/api/v1/proposals/{waiting.pk}/"),
        ("meeting costs", "/public/meeting-costs/", "anonymous", None, "/public/meeting-costs/"),
        ("meeting costs deep", "/public/meeting-costs/?page=<last>", "anonymous", None,
         f"/public/meeting-costs/?page={last_costs}"),
        ("report data this year", f"reports.figures.collect({this_year})", "–", None, report_data(this_year)),
        ("report data last year", f"reports.figures.collect({this_year - 1})", "–", None,
         report_data(this_year - 1)),
    ]
