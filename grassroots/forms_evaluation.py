"""Forms of 逆向考核."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quotas.validators import MAX_YEAR, MIN_YEAR

from .models import SUMMARY_MAX_CHARS, Dimension

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]
HINTS = {
    Dimension.NECESSITY: _("1 完全没必要 … 5 非常必要"),
    Dimension.EFFECT: _("1 没有实效 … 5 实效明显"),
    Dimension.BURDEN: _("1 负担很重 … 5 负担很轻"),
    Dimension.FORMALISM: _("1 陪会、留痕、材料很多 … 5 没有形式主义"),
}


class RatingForm(forms.Form):
    comment = forms.CharField(label=_("意见建议（可不填）"), required=False, max_length=SUMMARY_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("被评部门看不到评价单位。意见只有经减负办去除可识别信息后才会给被评部门看，"
                                          "请不要写入能识别本人或本单位的信息。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for dimension in reversed(Dimension):
            self.fields = {dimension.value: forms.TypedChoiceField(
                label=dimension.label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
                help_text=HINTS[dimension]), **self.fields}

    def scores(self) -> dict:
        return {d: self.cleaned_data[d] for d in Dimension.values}


class WindowForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("截止日期（含当天，北京时间）"), widget=forms.DateInput(attrs={"type": "date"}))


class ReleaseForm(forms.Form):
    rating = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("公开的意见"), required=False, max_length=SUMMARY_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))
