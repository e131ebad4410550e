"""Pages of 逆向考核: the reporter's list and form, the results (the office's,
the rated department's), the office's window and comment release. No page
shows who rated: ratings carry no unit (grassroots.evaluations)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.errors import ProposalError
from quotas.access import visible_departments
from quotas.models import Department

from . import evaluations, policy, selectors
from .forms_evaluation import RatingForm, ReleaseForm, WindowForm
from .models import Rating


def refused(form, error):
    """A service's refusal on the form: on its field when the form has it."""
    for problem in error.problems or [None]:
        field = problem.field if problem and problem.field in form.fields else None
        form.add_error(field, problem.message if problem else str(error))


def require_office(user):
    if not policy.is_office(user):
        raise PermissionDenied(_("只有减负办可以进行此项操作。"))


def year_of(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


# --- 逆向考核 -------------------------------------------------------------------------

@login_required
@require_GET
def evaluation(request):
    """A reporter's list of departments to rate in the open window; everyone else
    is sent to the results."""
    user = request.user
    if not policy.may_file(user):
        return redirect("loop:results")
    window = evaluations.open_window()
    rows = []
    if window is not None:
        for department in evaluations.rateable_departments(user.department, window.year):
            rows.append((department, evaluations.rating_of(unit=user.department, department=department,
                                                           year=window.year)))
    return render(request, "grassroots/evaluation.html", {"window": window, "rows": rows,
                                                          "last_day": _last_day(window)})


def _last_day(window):
    if window is None:
        return None
    return timezone.localtime(window.closes_at - datetime.timedelta(microseconds=1)).date()


@login_required
def rate(request, year, code):
    user = request.user
    if not policy.may_file(user):
        raise PermissionDenied(_(policy.MSG_NOT_REPORTER))
    department = get_object_or_404(Department, code=code, issues_proposals=True)
    mine = evaluations.rating_of(unit=user.department, department=department, year=year)
    initial = {d: getattr(mine, d) for d in evaluations.SCORES} | {"comment": mine.comment} if mine else None
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.rating_submit(by=user, department=department, year=year, scores=form.scores(),
                                      comment=form.cleaned_data["comment"])
        except ProposalError as error:
            refused(form, error)
            return render(request, "grassroots/rate.html", {"form": form, "department": department, "year": year,
                                                            "mine": mine}, status=error.status)
        messages.success(request, _("已保存对{department}的评价。评价时间内可以修改。").format(department=department.name))
        return redirect("loop:evaluation")
    return render(request, "grassroots/rate.html", {"form": form, "department": department, "year": year,
                                                    "mine": mine}, status=400 if form.errors else 200)


@login_required
@require_GET
def results(request):
    """Published results for the departments the user may see (the rated
    department sees its own), with released comments."""
    user = request.user
    year = year_of(request)
    figures = selectors.evaluation_figures(year)
    visible = set(visible_departments(user).values_list("pk", flat=True))
    comments = selectors.released_comments_of(year, figures)
    rows = [(row, comments.get(pk, [])) for pk, row in
            sorted(figures["departments"].items(), key=lambda item: item[1]["overall"]) if pk in visible]
    return render(request, "grassroots/results.html", {
        "year": year, "figures": figures, "rows": rows, "is_office": policy.is_office(user),
        "window": evaluations.window_of(year), "window_form": WindowForm(initial={"year": year}),
        "low": settings.JIANFU["EVALUATION_LOW_MEAN"],
    })


@login_required
@require_POST
def window(request):
    require_office(request.user)
    form = WindowForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("close"):
                evaluations.window_close(by=request.user, year=data["year"])
                messages.success(request, _("{year} 年度逆向考核已结束，结果已公布。").format(year=data["year"]))
            else:
                evaluations.window_set(by=request.user, **data)
                messages.success(request, _("{year} 年度逆向考核评价时段已设置。").format(year=data["year"]))
        except ProposalError as error:
            messages.error(request, str(error))
    elif request.POST.get("close") and request.POST.get("year", "").isdigit():
        try:
            evaluations.window_close(by=request.user, year=int(request.POST["year"]))
            messages.success(request, _("已结束。"))
        except ProposalError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("请填写年度、开始日期和截止日期。"))
    return redirect(f"{reverse('loop:results')}?year={request.POST.get('year', '')}")




@login_required
def comments(request, year, code):
    """The office reads a department's comments (never who wrote them) and
    releases them, edited, to the department."""
    require_office(request.user)
    department = get_object_or_404(Department, code=code)
    if request.method == "POST":
        form = ReleaseForm(request.POST)
        if form.is_valid():
            rating = get_object_or_404(Rating, pk=form.cleaned_data["rating"], year=year, department=department)
            try:
                evaluations.comment_release(by=request.user, rating_id=rating.pk, text=form.cleaned_data["text"])
                messages.success(request, _("已更新公开的意见。"))
            except ProposalError as error:
                messages.error(request, str(error))
        return redirect("loop:comments", year=year, code=code)
    ratings = Rating.objects.filter(year=year, department=department).exclude(comment="").order_by("comment")
    return render(request, "grassroots/comments.html", {
        "year": year, "department": department, "ratings": ratings,
        "published": department.pk in selectors.evaluation_figures(year)["departments"],
    })
