from django import forms
from django.utils.translation import gettext_lazy as _

from quotas.limits import TEXT_MAX_CHARS
from quotas.models import GRASSROOTS_LEVELS, Department, Kind, Level
from quotas.validators import MAX_YEAR, MIN_YEAR, validate_year

from . import kinds
from .models import Attachment, EmergencyCategory, Proposal, State

FIELDS_OF_KIND = {kind: ["title", "necessity", *module.FIELDS] for kind, module in kinds.KINDS.items()}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProposalForm(forms.ModelForm):
    target_levels = forms.MultipleChoiceField(
        label=_("面向层级"), choices=Level.choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Proposal
        fields = sorted({name for names in FIELDS_OF_KIND.values() for name in names})
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start": LocalDateTimeInput(),
            "end": LocalDateTimeInput(),
            "necessity": forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX_CHARS}),
            "co_departments": forms.CheckboxSelectMultiple,
            "units": forms.CheckboxSelectMultiple,
            "materials_justification": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, kind: str, department_id, **kwargs):
        super().__init__(*args, **kwargs)
        keep = FIELDS_OF_KIND[kind]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "units" in self.fields:
            self.fields["units"].queryset = Department.objects.filter(level__in=GRASSROOTS_LEVELS)
        if "criteria" in self.fields:
            self.fields["criteria"] = forms.MultipleChoiceField(
                label=_("考核评价标准"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=list(kinds.inspection.CRITERIA.items()),
                help_text=_("不得以领导批示、媒体报道、照片视频留痕、学习笔记等作为考核标准。"),
                initial=self.instance.criteria if self.instance else None)
        if "co_departments" in self.fields:
            # The filing department leads a joint document and is charged for it.
            self.fields["co_departments"].queryset = (
                Department.objects.filter(issues_proposals=True).exclude(pk=department_id))
            self.fields["co_departments"].help_text = _(
                "联合发文由本部门牵头、计入本部门总量；请勾选联合发文的其他部门。")
        # A draft may be incomplete; submission checks what is required.
        for name, field in self.fields.items():
            if name not in ("title", "necessity"):
                field.required = False
        self.order_fields(keep)

    def clean_doc_category(self):
        # Left empty on a draft, a document is an "other" one (the model's default).
        return self.cleaned_data["doc_category"] or Proposal._meta.get_field("doc_category").default


class SubmitForm(forms.Form):
    emergency = forms.BooleanField(label=_("特事特办（总量已熔断时申请超额）"), required=False)
    justification = forms.CharField(
        label=_("超额说明"), required=False, max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    emergency_category = forms.ChoiceField(
        label=_("突发事件领域"), required=False, choices=[("", "—"), *EmergencyCategory.choices],
        help_text=_("安全生产、自然灾害领域的督查检查考核按特事特办提交的，可超出月度总量。"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    doc_number = forms.CharField(label=_("文号"), required=False, max_length=100)
    issued_on = forms.DateField(label=_("印发日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actual_attendees = forms.IntegerField(label=_("实际参会人数"), required=False, min_value=0, max_value=100_000)
    actual_cost = forms.DecimalField(
        label=_("实际会议成本（元，留空按标准计算）"), required=False, min_value=0,
        max_digits=14, decimal_places=2,
    )
    findings = forms.CharField(label=_("检查发现与反馈"), required=False, max_length=TEXT_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 3}))
    comment = forms.CharField(label=_("说明"), required=False, max_length=TEXT_MAX_CHARS)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(kinds.of(kind).OUTCOME_FIELDS) | {"comment"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class ListFilterForm(forms.Form):
    """The list page's query string, parsed like any other input (a `quota=²`
    that str.isdigit() accepts is an error here, not a 500)."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("标题、编号、备案号或文号")}))
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + State.choices, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=[("", _("全部"))] + Kind.choices, required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    department = forms.ChoiceField(label=_("部门"), required=False)
    date_from = forms.DateField(label=_("计划日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[validate_year])
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[validate_year])
    quota = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部"))] + [(d.code, d.name) for d in departments]
        if len(departments) <= 1:
            del self.fields["department"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word（doc/docx）、OFD 或图片，按内容检查类型。"))
    role = forms.ChoiceField(label=_("类别"), choices=Attachment.Role.choices, initial=Attachment.Role.ANNEX)
