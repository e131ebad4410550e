"""Pages of 监测点: the reporter's months and month (the pre-filled log, confirmed
with additions and the survey), the office's points, questions and chart."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.errors import ProposalError

from . import monitoring, policy, selectors
from .forms_monitoring import AdditionFormSet, PointForm, QuestionForm, SurveyForm, month_choices
from .models import MonitoringPoint, MonthlyLog, SurveyQuestion
from .views_evaluation import require_office, year_of


@login_required
def monitoring_home(request):
    """A monitoring point's reporter: the months to confirm. The office: points and
    the survey's questions."""
    user = request.user
    if policy.may_file(user):
        point = MonitoringPoint.objects.filter(unit=user.department, active=True).first()
        confirmed = set(MonthlyLog.objects.filter(unit=user.department).values_list("year", "month"))
        months = [(y, m, (y, m) in confirmed) for y, m in month_choices(timezone.localdate())]
        return render(request, "grassroots/monitoring_home.html", {"point": point, "months": months})
    require_office(user)
    point_form, question_form = PointForm(), QuestionForm()
    if request.method == "POST":
        try:
            if "unit" in request.POST:
                point_form = PointForm(request.POST)
                if point_form.is_valid():
                    monitoring.point_designate(by=user, unit=point_form.cleaned_data["unit"],
                                               active=request.POST.get("active", "1") == "1")
                    return redirect("loop:monitoring")
            elif "text" in request.POST:
                question_form = QuestionForm(request.POST)
                if question_form.is_valid():
                    monitoring.question_set(by=user, text=question_form.cleaned_data["text"])
                    return redirect("loop:monitoring")
            elif "retire" in request.POST:
                question = get_object_or_404(SurveyQuestion, pk=request.POST["retire"])
                monitoring.question_set(by=user, question=question, active=False)
                return redirect("loop:monitoring")
        except ProposalError as error:
            messages.error(request, str(error))
    return render(request, "grassroots/monitoring_office.html", {
        "points": MonitoringPoint.objects.select_related("unit"), "point_form": point_form,
        "question_form": question_form, "questions": SurveyQuestion.objects.filter(active=True),
        "figures": selectors.monitoring_figures(year_of(request)), "year": year_of(request),
    })


@login_required
def month(request, unit, year, month):
    """A monitoring point's month: the pre-filled log; its reporter confirms it
    with additions (each becomes a flag) and the survey."""
    point = monitoring.point_of(unit)
    if point is None or not monitoring.may_read(request.user, point.unit) or not 1 <= month <= 12:
        raise Http404("No such monitoring point")
    unit = point.unit
    log = MonthlyLog.objects.filter(unit=unit, year=year, month=month).first()
    questions = SurveyQuestion.objects.filter(active=True)
    additions = AdditionFormSet(request.POST or None, prefix="add")
    survey = SurveyForm(request.POST or None, questions=questions)
    may_confirm = log is None and monitoring.may_keep(request.user, unit)
    error = None
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(_(monitoring.MSG_NOT_YOUR_UNIT))
        if additions.is_valid() and survey.is_valid():
            items = [a for a in (f.addition() for f in additions) if a]
            try:
                monitoring.log_confirm(by=request.user, unit=unit, year=year, month=month, additions=items,
                                       answers=survey.answers(), note=survey.cleaned_data["note"])
            except ProposalError as refused:
                error = str(refused)
            else:
                messages.success(request, _("{year} 年 {month} 月台账已确认，补充 {n} 项已作为线索报减负办核查。")
                                 .format(year=year, month=month, n=len(items)))
                return redirect("loop:month", unit=unit.code, year=year, month=month)
    return render(request, "grassroots/month.html", {
        "unit": unit, "year": year, "month": month, "log": log, "prefilled": monitoring.prefilled_log(unit, year, month),
        "additions": additions, "survey": survey, "may_confirm": may_confirm, "error": error,
        "answers": {a.question.text: a.score for a in log.answers.select_related("question")} if log else {},
        "flags": log.flags.all() if log else [],
    }, status=400 if request.method == "POST" else 200)
