"""Forms of 监测点: the month's additions (each becomes a flag), the survey, and
the office's points and questions."""

import datetime

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from quotas.models import Department, Kind

from .forms_evaluation import SCORE_CHOICES
from .models import SUMMARY_MAX_CHARS, Channel

BLANK = [("", "---------")]


class AdditionForm(forms.Form):
    """One item that came outside the gate: becomes a flag."""

    issuer = forms.ModelChoiceField(label=_("发文/开会部门"), required=False,
                                    queryset=Department.objects.filter(issues_proposals=True).order_by("code"))
    # Blank first choices: an untouched extra form must come back unchanged (a select
    # otherwise posts its first option, and the empty form would count as an addition).
    channel = forms.ChoiceField(label=_("渠道"), choices=BLANK + Channel.choices, required=False)
    kind = forms.ChoiceField(label=_("实为"), choices=BLANK + Kind.choices, required=False)
    received_on = forms.DateField(label=_("收到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("内容摘要"), required=False, max_length=SUMMARY_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 2}))
    forms_demanded = forms.IntegerField(label=_("要求填报表格数"), min_value=0, max_value=1000, required=False)
    hours_demanded = forms.IntegerField(label=_("耗费工时（小时）"), min_value=0, max_value=100_000, required=False)

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        for name in ("issuer", "channel", "kind", "received_on", "summary"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("补充事项请填写此项。"))
        return data

    def addition(self) -> dict | None:
        if not self.has_changed():
            return None
        data = {k: v for k, v in self.cleaned_data.items()}
        data["forms_demanded"] = data.get("forms_demanded") or 0
        data["hours_demanded"] = data.get("hours_demanded") or 0
        return data


AdditionFormSet = formset_factory(AdditionForm, extra=2, max_num=20)


class SurveyForm(forms.Form):
    note = forms.CharField(label=_("其他说明（可不填）"), required=False, max_length=SUMMARY_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.text, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect, required=False,
                help_text=_("1 很不认同 … 5 非常认同"))

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions
                if self.cleaned_data.get(f"q{q.pk}") not in (None, "")}


class PointForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Department.objects.filter(
        level__in=("township", "village")).order_by("code"))


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("问题"), max_length=200)


def month_choices(today: datetime.date, count: int = 12) -> list[tuple[int, int]]:
    """This month and the `count - 1` before it, newest first."""
    year, month = today.year, today.month
    months = []
    for _n in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
