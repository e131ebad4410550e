"""What the API reads and writes. Limits here are part of the contract (and the schema).

Write serializers only validate and convert; approvals.services does the work.
Every bound is explicit so that no input reaches the database that it would
refuse with an error of its own (huge integers, NUL characters, years that
overflow a time zone conversion) — those must be a 400, never a 500.
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from approvals import lifecycle, todo
from approvals.kinds import inspection as inspection_kind
from approvals.models import (
    Attachment, DocCategory, DocType, EmergencyCategory, Hold, InspectionMode, InspectionType, MeetingFormat,
    Proposal, ProposalEvent, State,
)
from quotas.models import GRASSROOTS_LEVELS, BreakerState, Department, Kind, Level, MonthlyQuota, Quota
from quotas.validators import MAX_YEAR, MIN_YEAR, validate_year
from quotas.limits import TEXT_MAX_CHARS

MAX_ATTENDEES = 100_000


@extend_schema_field(OpenApiTypes.STR)
class DepartmentCodeField(serializers.SlugRelatedField):
    """A department by its code; NUL characters are refused before the query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 32:
            self.fail("invalid")
        ProhibitNullCharactersValidator()(data)
        return super().to_internal_value(data)


# --- read side ----------------------------------------------------------------

class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["code", "name", "level", "parent"]


class MonthlyQuotaSerializer(serializers.ModelSerializer):
    remaining = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(source="breaker_state", choices=BreakerState.choices, read_only=True)

    class Meta:
        model = MonthlyQuota
        fields = ["month", "cap", "reserved", "committed", "overridden", "remaining", "state"]
        read_only_fields = fields


class QuotaSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    remaining = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(source="breaker_state", choices=BreakerState.choices, read_only=True)

    class Meta:
        model = Quota
        fields = ["department", "year", "kind", "cap", "reserved", "committed", "overridden",
                  "flagged", "remaining", "state"]
        read_only_fields = fields


class QuotaListSerializer(QuotaSerializer):
    """GET /api/v1/quotas/: each quota with its monthly caps (the action answers
    and refusals name a quota without them; a refused month is their `month`)."""

    monthly = MonthlyQuotaSerializer(
        source="months", many=True, read_only=True,
        help_text=gettext_lazy("月度总量（督查检查考核：每月到基层的实地督查检查考核），按月份；未设置的月份不列出。"))

    class Meta(QuotaSerializer.Meta):
        fields = [*QuotaSerializer.Meta.fields, "monthly"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    on_behalf_of = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text=gettext_lazy("代理：actor 代其办理的人（否则为 null）。"))

    class Meta:
        model = ProposalEvent
        fields = ["actor", "on_behalf_of", "at", "step", "action", "from_state", "to_state", "comment"]
        read_only_fields = fields


PROPOSAL_FIELDS = [
    "id", "kind", "state", "department", "created_by", "title", "necessity", "planned_date",
    "start", "end", "quota_year", "target_levels", "emergency", "justification", "emergency_category", "hold", "monthly_hold",
    "escalation_reasons", "escalations", "planned_item",
    "doc_type", "doc_category", "length_chars", "is_joint", "lead_department", "co_departments", "forms_required",
    "one_vote_veto", "responsibility_pledge",
    "meeting_format", "meeting_class", "comprehensive_meeting", "group_discussion",
    "main_speech_minutes", "attendees_city", "attendees_county",
    "attendees_township", "attendees_village", "principals_required", "venue", "agenda", "estimated_cost",
    "cost_formula",
    "inspection_type", "comprehensive", "mode", "units", "days_on_site", "materials_required",
    "materials_justification", "criteria", "findings",
    "doc_number", "issued_on", "actual_attendees", "actual_cost", "registry_number",
    "created_at", "updated_at", "submitted_at", "decided_at", "completed_at",
]


class ProposalSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_department = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True,
        help_text=gettext_lazy("联合发文的牵头部门：即申请部门本身（计入其总量）；非联合发文为 null。"))
    co_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    mode = serializers.ChoiceField(source="inspection_mode", choices=InspectionMode.choices, allow_blank=True,
                                   read_only=True)
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices, allow_blank=True, read_only=True)
    criteria = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    quota_year = serializers.IntegerField(read_only=True, allow_null=True)
    target_levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices), read_only=True)
    escalation_reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text=gettext_lazy("提级原因，按请求语言表述。"))
    escalations = serializers.ListField(
        child=serializers.DictField(), read_only=True,
        help_text=gettext_lazy("提级原因代码及其数据：{code, …}。"))
    doc_type = serializers.ChoiceField(choices=DocType.choices, allow_blank=True, read_only=True)
    meeting_format = serializers.ChoiceField(choices=MeetingFormat.choices, allow_blank=True, read_only=True)
    emergency_category = serializers.ChoiceField(choices=EmergencyCategory.choices, allow_blank=True,
                                                 read_only=True)

    class Meta:
        model = Proposal
        fields = PROPOSAL_FIELDS
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=gettext_lazy("下载地址（检查访问权限）。"))

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "role", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("approvals:attachment", args=[attachment.proposal_id, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("PDF、Word、OFD 或图片；按内容检查类型。"))
    role = serializers.ChoiceField(choices=Attachment.Role.choices, default=Attachment.Role.ANNEX)


class ProposalDetailSerializer(ProposalSerializer):
    """The full detail: every field, the quota it holds with its counters, the
    attachments and the history — a superset of what an action answers, so an
    action's answer with ?expand=detail is still an ActionResult."""

    history = EventSerializer(source="events", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    quota = QuotaSerializer(read_only=True, allow_null=True,
                            help_text=gettext_lazy("所占用的年度总量及其当前计数（未占用时为 null）。"))

    class Meta(ProposalSerializer.Meta):
        fields = PROPOSAL_FIELDS + ["quota", "attachments", "history"]
        read_only_fields = fields


# --- write side ---------------------------------------------------------------

def _count(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_ATTENDEES, required=False, **kwargs)


class ProposalWriteSerializer(serializers.Serializer):
    """A draft: create (kind, title and necessity required) or edit (PATCH, any subset).

    As in the web form, a draft may be incomplete: submission lists what is missing.
    """

    kind = serializers.ChoiceField(choices=Kind.choices)
    department = DepartmentCodeField(required=False, help_text=gettext_lazy("默认为本人所在部门。"))
    title = serializers.CharField(max_length=200)
    necessity = serializers.CharField(max_length=TEXT_MAX_CHARS)
    target_levels = serializers.ListField(
        child=serializers.ChoiceField(choices=Level.choices), max_length=len(Level.choices), required=False
    )
    planned_date = serializers.DateField(required=False, allow_null=True, validators=[validate_year],
                                         help_text=gettext_lazy("发文：计划印发日期（YYYY-MM-DD；年份 1900–2999）。"))
    # documents
    doc_type = serializers.ChoiceField(choices=DocType.choices, required=False, allow_blank=True)
    doc_category = serializers.ChoiceField(
        choices=DocCategory.choices, required=False,
        help_text=gettext_lazy("综合性文件不限篇幅但须提级；部署专项任务或具体工作 ≤ 4000 字；其他 ≤ 5000 字。"))
    length_chars = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    is_joint = serializers.BooleanField(required=False)
    lead_department = DepartmentCodeField(
        required=False, allow_null=True,
        help_text=gettext_lazy("只能是本部门：联合发文计入牵头部门总量，须由牵头部门起草提交"
                               "（否则 400 joint_lead_must_file）。"))
    co_departments = serializers.ListField(
        child=DepartmentCodeField(queryset=Department.objects.filter(issues_proposals=True)),
        max_length=50, required=False,
        help_text=gettext_lazy("联合发文的其他发文部门（代码）；不计入它们的总量。"))
    forms_required = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    one_vote_veto = serializers.BooleanField(required=False)
    responsibility_pledge = serializers.BooleanField(required=False)
    # meetings
    start = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_year],
                                      help_text=gettext_lazy("会议：开始时间（ISO 8601，带时区；年份 1900–2999）。"))
    end = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_year],
                                    help_text=gettext_lazy("会议：结束时间（ISO 8601，带时区）；须晚于 start，"
                                                           "且与 start 相隔不超过 31 天。"))
    meeting_format = serializers.ChoiceField(choices=MeetingFormat.choices, required=False, allow_blank=True)
    meeting_class = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    comprehensive_meeting = serializers.BooleanField(required=False)
    group_discussion = serializers.BooleanField(required=False)
    main_speech_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False, allow_null=True)
    attendees_city = _count()
    attendees_county = _count()
    attendees_township = _count()
    attendees_village = _count()
    principals_required = serializers.BooleanField(required=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True)
    # inspections (督查检查考核); start and end as for meetings
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices, required=False, allow_blank=True)
    comprehensive = serializers.BooleanField(required=False)
    mode = serializers.ChoiceField(source="inspection_mode", choices=InspectionMode.choices, required=False,
                                   allow_blank=True, help_text=gettext_lazy("明察 / 暗访 / 四不两直。"))
    units = serializers.ListField(
        child=DepartmentCodeField(queryset=Department.objects.filter(level__in=GRASSROOTS_LEVELS)),
        max_length=200, required=False, help_text=gettext_lazy("被检查的基层单位（乡镇、村的代码）。"))
    days_on_site = serializers.IntegerField(min_value=0, max_value=31, required=False)
    materials_required = serializers.BooleanField(required=False)
    materials_justification = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True)
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=list(inspection_kind.CRITERIA.items())), max_length=10,
        required=False, help_text=gettext_lazy("考核评价标准；领导批示、媒体报道、留痕、学习笔记不得使用。"))

    def validate(self, data):
        # Checked here too (the service and the model check again) so that a bad
        # pair is a field error before anything else is looked at.
        instance = self.instance
        start = data.get("start", instance.start if instance else None)
        end = data.get("end", instance.end if instance else None)
        if start and end and end <= start:
            raise serializers.ValidationError({"end": _("结束时间必须晚于开始时间。")})
        return data


class SubmitSerializer(serializers.Serializer):
    emergency = serializers.BooleanField(default=False, help_text=gettext_lazy("按特事特办提交。"))
    justification = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")
    emergency_category = serializers.ChoiceField(
        choices=EmergencyCategory.choices, allow_blank=True, default="",
        help_text=gettext_lazy("特事特办的突发事件领域：安全生产、自然灾害领域的督查检查考核可超出月度总量。"))


@extend_schema_serializer(component_name="ProposalWrite")  # the create body's name since it was ProposalWrite
class ProposalFileAndSubmitSerializer(ProposalWriteSerializer, SubmitSerializer):
    """A draft (kind, title and necessity required). With `?submit=1` it is also
    submitted, and `emergency`, `justification` and `emergency_category` are the submission's (as in
    …/submit/); without it they are ignored.

    As in the web form, a draft may be incomplete: submission lists what is missing.
    """


class ActionResultSerializer(serializers.Serializer):
    """What a create or an action answers: where the proposal stands now and the
    quota it holds, with the counters after the action (the full detail, with
    its history, is `GET …/{id}/` or `?expand=detail`)."""

    id = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    hold = serializers.ChoiceField(choices=Hold.choices, read_only=True)
    quota = QuotaSerializer(read_only=True, allow_null=True)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=lifecycle.DECISIONS)
    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")


class CancelSerializer(CommentSerializer):
    """取消已批准事项: the reason is required (400 comment_required when empty)."""

    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="",
                                    help_text=gettext_lazy("取消原因，必填。"))


class CompleteSerializer(serializers.Serializer):
    """办结 fields per kind: a document needs doc_number and issued_on; a meeting
    needs actual_attendees (actual_cost is computed from the standard when left
    out); an inspection needs findings. Fields of the other kinds are ignored."""

    doc_number = serializers.CharField(max_length=100, allow_blank=True, default="",
                                       help_text=gettext_lazy("发文：文号。"))
    issued_on = serializers.DateField(required=False, allow_null=True, default=None,
                                      validators=[validate_year], help_text=gettext_lazy("发文：印发日期。"))
    actual_attendees = serializers.IntegerField(min_value=0, max_value=MAX_ATTENDEES, required=False,
                                                allow_null=True, default=None,
                                                help_text=gettext_lazy("会议：实际参会人数。"))
    actual_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                           allow_null=True, default=None,
                                           help_text=gettext_lazy("会议：实际会议成本（元）；不填则按标准计算。"))
    findings = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="",
                                     help_text=gettext_lazy("督查检查考核：检查发现与反馈。"))
    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx/5xx answer."""

    code = serializers.CharField(help_text=gettext_lazy("稳定的错误代码，供程序判断。"))
    detail = serializers.CharField(help_text=gettext_lazy("给人看的说明（按请求语言）。"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text=gettext_lazy("逐字段的错误。"),
    )
    quota = QuotaSerializer(required=False, help_text=gettext_lazy("quota_exhausted 时：已熔断的年度总量。"))
    month = serializers.IntegerField(required=False, help_text=gettext_lazy(
        "quota_exhausted 时，若熔断的是该年度总量中某月的月度总量（督查检查考核）：月份。"))


# --- query parameters ---------------------------------------------------------

class ActionQuerySerializer(serializers.Serializer):
    expand = serializers.ChoiceField(
        choices=["detail"], required=False,
        help_text=gettext_lazy("detail：回答申请的完整详情（含办理记录），而不只是 id、状态和总量。"))


class CreateQuerySerializer(ActionQuerySerializer):
    submit = serializers.BooleanField(
        required=False, default=False,
        help_text=gettext_lazy("1：起草后立即提交（一次采集），回答与提交相同；提交被拒时草稿保留，"
                               "错误回答中带有它的 id 和 state。"))


class QuotaFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    department = serializers.CharField(max_length=32, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class ProposalFilterSerializer(QuotaFilterSerializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)


class TaskSerializer(serializers.Serializer):
    """One item of the caller's to-do (approvals.todo)."""

    proposal = serializers.IntegerField(source="proposal.pk")
    title = serializers.CharField(source="proposal.title")
    kind = serializers.ChoiceField(source="proposal.kind", choices=Kind.choices)
    department = serializers.CharField(source="proposal.department.code")
    step = serializers.ChoiceField(choices=list(todo.ACTION_NEEDED))
    action_needed = serializers.CharField()
    waiting_since = serializers.DateTimeField()
    due = serializers.DateField(help_text=gettext_lazy("办理时限（按工作日计）。"))
