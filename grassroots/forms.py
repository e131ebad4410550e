from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.registry import PUBLIC_STATES
from approvals.models import Proposal
from quotas.models import Department
from quotas.validators import validate_year

from .models import SUMMARY_MAX_CHARS, Decision, Flag, FlagState


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("减负备案号"), max_length=40,
                             widget=forms.TextInput(attrs={"placeholder": "江减备〔2026〕0001号"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by approvals.uploads in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class FlagForm(forms.ModelForm):
    issuer = forms.ModelChoiceField(
        label=_("发文/开会部门"), queryset=Department.objects.filter(issues_proposals=True).order_by("code"))
    summary = forms.CharField(
        label=_("内容摘要"), max_length=SUMMARY_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明要求了什么（填表、报材料、参会、留痕等）。被反映部门能看到摘要，但看不到反映人和反映单位："
                    "请不要写入能识别本人或本单位的信息。"))
    evidence = MultipleFileField(label=_("证据文件"), required=False,
                                 help_text=_("通知截图、便笺照片、表格等：PDF、Word、OFD、PNG 或 JPG。"))

    class Meta:
        model = Flag
        fields = ["issuer", "channel", "kind", "received_on", "summary", "forms_demanded",
                  "materials_demanded", "attendees_demanded", "hours_demanded", "claimed_number"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["received_on"].validators.append(validate_year)


class TriageForm(forms.Form):
    decision = forms.ChoiceField(label=_("核查结论"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("核查意见"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("反映人能看到；不予认定时必填。"))
    number = forms.CharField(label=_("匹配的减负备案号"), required=False, max_length=40,
                             help_text=_("结论为“匹配已备案事项”时填写。"))

    def clean(self):
        data = super().clean()
        data["proposal"] = None
        number = (data.get("number") or "").strip()
        if data.get("decision") == Decision.MATCH and number:
            data["proposal"] = Proposal.objects.filter(registry_number=number, state__in=PUBLIC_STATES).first()
            if data["proposal"] is None:
                self.add_error("number", _("没有这个减负备案号。"))
        return data


class FlagFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + FlagState.choices)
    year = forms.IntegerField(label=_("收到年度"), required=False, min_value=1900, max_value=2999)
