"""What every page's navigation needs: the to-do count and which links to show.
Values are callables, so a page that does not show the navigation costs no query."""

from reports.access import may_use_reports

from . import policy, todo


def workbench(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "todo_count": lambda: todo.waiting(user).count(),
        "may_use_reports": lambda: may_use_reports(user),
        "may_draft": lambda: policy.may_draft(user),
    }
