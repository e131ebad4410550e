"""What every page's navigation needs: the to-do count and which links to show.
Values are callables, so a page that does not show the navigation costs no query;
each is computed at most once a request (a template calls a callable each time
it names it)."""

from functools import cache

from django.utils import timezone

from quotas.access import sees_all_departments
from reports.access import may_use_reports

from . import assessment, deputies, policy, todo


def workbench(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {name: cache(value) for name, value in {
        "todo_count": lambda: todo.waiting(user).count(),
        "may_use_reports": lambda: may_use_reports(user),
        "may_draft": lambda: policy.may_draft(user),
        "may_name_deputy": lambda: deputies.may_name_deputy(user),
        "may_see_timeliness": lambda: sees_all_departments(user),
        "may_read_plans": lambda: policy.may_read_plans(user),
        # "新建" says before the form whether this year's quota still has a slot.
        "drafting_options": lambda: assessment.drafting_options(user, year=timezone.localdate().year),
    }.items()}
