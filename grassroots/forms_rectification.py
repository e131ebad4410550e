"""Forms of 整改."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quotas.models import Department
from quotas.validators import MAX_YEAR, MIN_YEAR


class OpenRectificationForm(forms.Form):
    flag = forms.IntegerField(label=_("来源线索编号（已确认）"), required=False, min_value=1)
    department = forms.ModelChoiceField(label=_("或：逆向考核评价较低的部门"), required=False,
                                        queryset=Department.objects.filter(issues_proposals=True).order_by("code"))
    rating_year = forms.IntegerField(label=_("逆向考核年度"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    problem = forms.CharField(label=_("问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        by_flag = data.get("flag") is not None
        by_rating = data.get("department") is not None and data.get("rating_year") is not None
        if by_flag == by_rating:
            raise forms.ValidationError(_("请填写来源线索编号，或选择部门和逆向考核年度（二选一）。"))
        return data


class PlanForm(forms.Form):
    measures = forms.CharField(label=_("整改措施（改什么）"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("销号意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
