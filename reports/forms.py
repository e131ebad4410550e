from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department, Quota


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    department = forms.ModelChoiceField(
        label=_("部门"), required=False, empty_label=_("全部部门"),
        queryset=Department.objects.filter(quotas__isnull=False).distinct().order_by("code"),
    )
    reduction = forms.DecimalField(
        label=_("年度压减比例"), initial=DEFAULT_REDUCTION, min_value=0, max_value=Decimal("0.99"),
        max_digits=3, decimal_places=2,
        help_text=_("已用数（已批准＋特事特办＋明减暗增）不得超过上年已用数 × (1 − 压减比例)。"),
    )
    regenerate = forms.BooleanField(
        label=_("重新生成（新编号版本）"), required=False,
        help_text=_("已结束年度的报告只生成一次、按存档下载；勾选后另生成一个新版本，旧版本保留。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = sorted(set(Quota.objects.values_list("year", flat=True)) | {this_year}, reverse=True)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["year"].initial = this_year
