"""Proposals (发文/会议申请), their state machine and their audit trail."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from viewflow.workflow.models import Process

from quotas.append_only import AppendOnlyModel
from quotas.limits import TEXT_MAX_CHARS
from quotas.models import Department, Kind, Level
from quotas.validators import FIRST_DAY, FIRST_MOMENT, LAST_DAY, LAST_MOMENT, validate_year, year_in_range

# The lifecycle's vocabulary lives in approvals.lifecycle; State and the state
# groups stay importable from here.
from .lifecycle import (  # noqa: F401
    EDITABLE_STATES, OPEN_STATES, REVIEW_STATES, SOURCE_STATES, TARGET_STATES, Action, State, Step,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Kinds dated by their start (meetings, inspections) rather than planned_date (documents).
START_DATED = (Kind.MEETING, Kind.INSPECTION)


class Hold(models.TextChoices):
    """Which quota counter this proposal currently occupies."""

    NONE = "none", _("未占用")
    RESERVED = "reserved", _("占用")
    COMMITTED = "committed", _("已确认")
    OVERRIDDEN = "overridden", _("特事特办")


class DocType(models.TextChoices):
    NOTICE = "notice", _("通知")
    OPINION = "opinion", _("意见")
    PLAN = "plan", _("方案")
    MEASURES = "measures", _("办法")
    REPORT = "report", _("报告")
    LETTER = "letter", _("函")
    OTHER = "other", _("其他")


class DocCategory(models.TextChoices):
    """What the 2024 若干规定 limits a document's length by (settings.JIANFU)."""

    COMPREHENSIVE = "comprehensive", _("综合性文件")
    SPECIFIC = "specific", _("部署专项任务或具体工作")
    GENERAL = "general", _("其他文件")


class MeetingClass(models.IntegerChoices):
    """会议类别 (中央和国家机关会议费管理办法): rates per class are data (MeetingCostRate)."""

    FIRST = 1, _("一类会议")
    SECOND = 2, _("二类会议")
    THIRD = 3, _("三类会议")
    FOURTH = 4, _("四类会议")


class InspectionType(models.TextChoices):
    SUPERVISION = "supervision", _("督查")
    CHECK = "check", _("检查")
    ASSESSMENT = "assessment", _("考核")


class InspectionMode(models.TextChoices):
    OPEN = "open", _("明察")
    COVERT = "covert", _("暗访")
    UNANNOUNCED = "unannounced", _("四不两直")


class EmergencyCategory(models.TextChoices):
    """The field of a 特事特办 request's emergency. Those in
    settings.JIANFU["INSPECTION_MONTHLY_EXEMPT_EMERGENCIES"] (安全生产, 自然灾害) pass
    a monthly inspection cap as overridden; the others are refused at it."""

    WORK_SAFETY = "work_safety", _("安全生产")
    NATURAL_DISASTER = "natural_disaster", _("自然灾害")
    PUBLIC_HEALTH = "public_health", _("公共卫生")
    SOCIAL_SECURITY = "social_security", _("社会安全")
    OTHER = "other", _("其他")


class MeetingFormat(models.TextChoices):
    ONSITE = "onsite", _("现场会议")
    VIDEO = "video", _("视频会议")
    HYBRID = "hybrid", _("现场+视频")


class Proposal(models.Model):
    # --- common ---------------------------------------------------------
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="proposals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("标题"), max_length=200)
    necessity = models.TextField(
        _("必要性说明"), max_length=TEXT_MAX_CHARS,
        help_text=_("为什么不能不发/不开、不能合并、不能用其他方式替代。"),
    )
    planned_date = models.DateField(_("计划日期"), null=True, blank=True, validators=[validate_year])
    target_levels = models.JSONField(_("面向层级"), default=list, blank=True)
    emergency = models.BooleanField(_("特事特办"), default=False)
    justification = models.TextField(_("超额说明"), max_length=TEXT_MAX_CHARS, blank=True)
    emergency_category = models.CharField(_("突发事件领域"), max_length=20, choices=EmergencyCategory.choices,
                                          blank=True)
    manual_escalation = models.BooleanField(_("审核人提级"), default=False)
    # [{"code": …, figures}] (approvals.rules.escalations); shown through escalation_reasons.
    escalations = models.JSONField(_("提级原因"), default=list, blank=True)

    # --- documents --------------------------------------------------------
    doc_type = models.CharField(_("文种"), max_length=16, choices=DocType.choices, blank=True)
    doc_category = models.CharField(
        _("文件性质"), max_length=16, choices=DocCategory.choices, default=DocCategory.GENERAL,
        help_text=_("综合性文件不限篇幅但须提级；部署专项任务或具体工作的文件篇幅更短。"),
    )
    length_chars = models.PositiveIntegerField(
        _("字数"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    # 联合发文: the filing department leads it and is charged for it (no
    # department's counters move without its consent); the co-issuers are listed.
    is_joint = models.BooleanField(_("联合发文"), default=False)
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("联合发文单位"), blank=True, related_name="co_issued_proposals",
    )
    forms_required = models.PositiveIntegerField(
        _("要求基层填报表格/材料数"), default=0, validators=[MaxValueValidator(1000)]
    )
    one_vote_veto = models.BooleanField(_("设置一票否决"), default=False)
    responsibility_pledge = models.BooleanField(_("要求签订责任状"), default=False)

    # --- meetings ---------------------------------------------------------
    start = models.DateTimeField(_("开始时间"), null=True, blank=True, validators=[validate_year])
    end = models.DateTimeField(_("结束时间"), null=True, blank=True, validators=[validate_year])
    meeting_format = models.CharField(
        _("会议形式"), max_length=16, choices=MeetingFormat.choices, blank=True
    )
    meeting_class = models.PositiveSmallIntegerField(
        _("会议类别"), null=True, blank=True, choices=MeetingClass.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    attendees_city = models.PositiveIntegerField(
        _("市级参会人数"), default=0, validators=[MaxValueValidator(100_000)]
    )
    attendees_county = models.PositiveIntegerField(
        _("县级参会人数"), default=0, validators=[MaxValueValidator(100_000)]
    )
    attendees_township = models.PositiveIntegerField(
        _("乡镇级参会人数"), default=0, validators=[MaxValueValidator(100_000)]
    )
    attendees_village = models.PositiveIntegerField(
        _("村级参会人数"), default=0, validators=[MaxValueValidator(100_000)]
    )
    principals_required = models.BooleanField(_("要求基层主要负责同志参会"), default=False)
    # What the 2024 若干规定 limits a meeting by: the clerk reads them off the agenda.
    comprehensive_meeting = models.BooleanField(
        _("综合性工作会议"), default=False, help_text=_("每个部门每年至多召开一次。"))
    group_discussion = models.BooleanField(
        _("安排分组讨论"), default=False, help_text=_("有分组讨论的会议会期不超过一天半，其他会议不超过半天。"))
    main_speech_minutes = models.PositiveSmallIntegerField(
        _("主报告和领导讲话时长（分钟）"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)],
        help_text=_("按议程填写主报告、领导讲话合计时长。"))
    venue = models.CharField(_("会议地点"), max_length=200, blank=True)
    agenda = models.TextField(_("会议议程"), max_length=TEXT_MAX_CHARS, blank=True,
                              help_text=_("议程与时长安排，供审核人判断能否合并、压缩或改为视频会议。"))
    estimated_cost = models.DecimalField(
        _("预计会议成本（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # How estimated_cost was computed, in words and figures (approvals.rules.meeting_cost).
    cost_formula = models.CharField(_("会议成本计算方式"), max_length=300, blank=True)

    # --- inspections (督查检查考核) -------------------------------------------
    inspection_type = models.CharField(_("督查检查考核类型"), max_length=16, choices=InspectionType.choices,
                                       blank=True)
    comprehensive = models.BooleanField(_("综合性督查检查考核"), default=False)
    inspection_mode = models.CharField(_("方式"), max_length=16, choices=InspectionMode.choices, blank=True)
    units = models.ManyToManyField(Department, verbose_name=_("被检查的基层单位"), blank=True,
                                   related_name="inspections_received")
    days_on_site = models.PositiveSmallIntegerField(_("现场天数"), default=0, validators=[MaxValueValidator(31)])
    materials_required = models.BooleanField(_("要求被检查单位准备迎检材料"), default=False)
    materials_justification = models.TextField(_("迎检材料理由"), max_length=TEXT_MAX_CHARS, blank=True)
    criteria = models.JSONField(_("考核评价标准"), default=list, blank=True)
    findings = models.TextField(_("检查发现与反馈"), max_length=TEXT_MAX_CHARS, blank=True)

    # --- outcome (办结) -----------------------------------------------------
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True, validators=[validate_year])
    actual_attendees = models.PositiveIntegerField(
        _("实际参会人数"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    actual_cost = models.DecimalField(
        _("实际会议成本（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    # --- 减负备案号: given in the approving transaction, gap-free per year ---
    registry_year = models.PositiveSmallIntegerField(_("备案年度"), null=True, blank=True)
    registry_seq = models.PositiveIntegerField(_("备案序号"), null=True, blank=True)
    registry_number = models.CharField(_("减负备案号"), max_length=40, null=True, blank=True, unique=True)

    # --- state and quota hold (written by approvals.services only) -------
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True)
    quota = models.ForeignKey(
        "quotas.Quota", verbose_name=_("计入总量"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="proposals",
    )
    hold = models.CharField(_("占用"), max_length=16, choices=Hold.choices, default=Hold.NONE)
    # 计划管理: the approved annual plan's item this proposal carries out (None: 计划外).
    planned_item = models.ForeignKey("approvals.PlanItem", verbose_name=_("年度计划事项"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="proposals")
    # Parent departments' quotas (e.g. the city's) this proposal also holds a slot
    # of, in the same counter as `hold`: reserved, committed or overridden together.
    parent_quotas = models.ManyToManyField("quotas.Quota", verbose_name=_("上级总量"), blank=True,
                                           related_name="parent_holds")
    # Monthly caps inside those quotas (an on-site inspection's start month, e.g.
    # the city's inspections per month) this proposal holds a slot of, all in
    # the counter `monthly_hold` names: it may differ from `hold` (an emergency
    # in 安全生产 past a full month is overridden there while its annual slots
    # are reserved).
    monthly_quotas = models.ManyToManyField("quotas.MonthlyQuota", verbose_name=_("月度总量"), blank=True,
                                            related_name="holds")
    monthly_hold = models.CharField(_("月度占用"), max_length=16, choices=Hold.choices, default=Hold.NONE)
    # The ledger rows this proposal caused (LedgerEntry.objects.filter(proposal=…) works too).
    ledger_entries = GenericRelation(
        "quotas.LedgerEntry", content_type_field="source_type", object_id_field="source_id",
        related_query_name="proposal",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发文/会议申请")
        verbose_name_plural = _("发文/会议申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"]), models.Index(fields=["state"]),
            # The lists' order: a page is read off the index instead of sorting every
            # visible row (a deep page of 20,000 items: 0.85 s → 0.19 s on SQLite).
            models.Index(fields=["-created_at", "-id"], name="proposal_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gt=F("start")),
                name="proposal_meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hold="none") | Q(quota__isnull=False),
                name="proposal_hold_names_quota",
            ),
            models.UniqueConstraint(fields=["registry_year", "registry_seq"],
                                    name="proposal_registry_seq_unique_per_year"),
            # quotas.validators' year bounds, for rows written around the services.
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": low, f"{name}__lte": high}),
                    name=f"proposal_{name}_year_in_range",
                )
                for name, low, high in [
                    ("planned_date", FIRST_DAY, LAST_DAY), ("issued_on", FIRST_DAY, LAST_DAY),
                    ("start", FIRST_MOMENT, LAST_MOMENT), ("end", FIRST_MOMENT, LAST_MOMENT),
                ]
            ],
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    def clean(self):
        """Rules every draft obeys, whoever writes it (form, API or service)."""
        # Out-of-range years are the field validators' error; compare only sane dates.
        if self.start and self.end and year_in_range(self.start) and year_in_range(self.end):
            if self.end <= self.start:
                raise ValidationError({"end": _("结束时间必须晚于开始时间。")})
            limit = settings.JIANFU["MEETING_MAX_SPAN_DAYS"]
            if self.end - self.start > datetime.timedelta(days=limit):
                # Refused at input: a draft from 1900 to 2999 is a typing error, and
                # each rule check on it must stay cheap (see rules.meeting_free_hits).
                raise ValidationError({"end": _("会议起止时间相隔超过 {n} 天，请检查日期。").format(n=limit)})

    # --- derived facts -----------------------------------------------------
    @property
    def lead_department(self) -> Department | None:
        """A joint document (联合发文) is led by, and charged to, the department that files it."""
        return self.department if self.kind == Kind.DOCUMENT and self.is_joint else None

    @property
    def quota_year(self) -> int | None:
        """The year of the planned date in Asia/Shanghai (not of submission)."""
        day = self.planned_day
        return day.year if day else None

    @property
    def planned_day(self):
        if self.kind in START_DATED and self.start:
            return self.start.astimezone(SHANGHAI).date()
        return self.planned_date

    @property
    def grassroots_attendees(self) -> int:
        return self.attendees_township + self.attendees_village

    @property
    def total_attendees(self) -> int:
        return (
            self.attendees_city + self.attendees_county
            + self.attendees_township + self.attendees_village
        )

    @property
    def meeting_days(self) -> int:
        if not (self.start and self.end):
            return 0
        first = self.start.astimezone(SHANGHAI).date()
        last = self.end.astimezone(SHANGHAI).date()
        return (last - first).days + 1

    @property
    def escalation_reasons(self) -> list[str]:
        """The 提级 reasons in words, in the reader's language."""
        from .rules import describe_escalation

        return [describe_escalation(reason) for reason in self.escalations]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_criteria_display(self) -> str:
        from .kinds.inspection import CRITERIA

        return "、".join(str(CRITERIA.get(code, code)) for code in self.criteria)

    def get_target_levels_display(self) -> str:
        labels = dict(Level.choices)
        return "、".join(str(labels.get(v, v)) for v in self.target_levels)

    # --- the state machine ----------------------------------------------------
    @transition(state, source=SOURCE_STATES, target=RETURN_VALUE(*TARGET_STATES))
    def change_state(self, target: str) -> str:
        """The one transition. Which action may go from where to where is
        approvals.lifecycle.TABLE's to say; approvals.services._transition is the
        only caller, after checking the row, the policy and the action's rules."""
        return target


class ProposalEvent(AppendOnlyModel):
    """The audit trail: one row per step, never changed."""

    append_only_name = _("审核记录")

    Step = Step  # ProposalEvent.Step, as before

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices)
    comment = models.TextField(_("意见"), max_length=TEXT_MAX_CHARS, blank=True)
    # 代理: the head, reviewer or leader the actor stood in for ("X（代 Y）").
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被代理人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["proposal", "at", "id"]

    @property
    def actor_display(self) -> str:
        """Who acted, as the trail shows it: "王建国", or "王建国（代 李明）" for a deputy."""
        name = _person(self.actor)
        if self.on_behalf_of_id is None:
            return name
        return _("{deputy}（代 {principal}）").format(deputy=name, principal=_person(self.on_behalf_of))


def _person(user) -> str:
    return f"{user.last_name}{user.first_name}" or user.username


class RegistryCounter(models.Model):
    """The last 减负备案号 sequence given in a year. The approving transaction
    locks its year's row, so numbers are gap-free and never given twice."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("备案号计数")
        verbose_name_plural = _("备案号计数")


def attachment_path(instance, filename: str) -> str:
    # The stored name is random: the user's file name is kept in `name`, never in a path.
    return f"attachments/{instance.proposal_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """正文 or 附件 of a proposal, stored through Django's storage API."""

    class Role(models.TextChoices):
        BODY = "body", _("正文")
        ANNEX = "annex", _("附件")

    proposal = models.ForeignKey(Proposal, verbose_name=_("申请"), on_delete=models.PROTECT,
                                 related_name="attachments")
    role = models.CharField(_("类别"), max_length=8, choices=Role.choices, default=Role.ANNEX)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["proposal", "-role", "id"]  # 正文 (body) before 附件 (annex)

    def __str__(self):
        return self.name


class ProposalProcess(Process):
    """The viewflow process of one proposal (process.artifact is the proposal)."""

    class Meta:
        proxy = True
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")


# --- 年度计划 (计划管理): next year's planned documents, meetings and inspections ---

class PlanWindow(models.Model):
    """When departments may file their plans for `year` (e.g. 1 November – 15
    December of the year before). A year with a window is under 计划管理: its
    items outside the approved plan are 计划外 and escalate (一事一议)."""

    year = models.PositiveSmallIntegerField(_("计划年度"), unique=True)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = _("年度计划填报期")
        verbose_name_plural = _("年度计划填报期")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")),
                                              name="plan_window_closes_after_it_opens")]

    def __str__(self):
        return f"{self.year}：{self.opens_on} — {self.closes_on}"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待减负办审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")


# A plan its department may still change and submit.
PLAN_EDITABLE_STATES = (PlanState.DRAFT, PlanState.RETURNED)


class Plan(models.Model):
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="plans")
    year = models.PositiveSmallIntegerField(_("计划年度"))
    state = FSMField(_("状态"), default=PlanState.DRAFT, choices=PlanState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        ordering = ["-year", "department__code"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="plan_one_per_department_year")]

    def __str__(self):
        return f"{self.department.name} {self.year} 年度计划"

    @transition(state, source=list(PLAN_EDITABLE_STATES), target=PlanState.SUBMITTED)
    def submit(self):
        pass

    @transition(state, source=PlanState.SUBMITTED, target=PlanState.APPROVED)
    def approve(self):
        pass

    @transition(state, source=PlanState.SUBMITTED, target=PlanState.RETURNED)
    def send_back(self):
        pass


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("年度计划"), on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    month = models.PositiveSmallIntegerField(_("计划月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    title = models.CharField(_("事项"), max_length=200)

    class Meta:
        verbose_name = _("年度计划事项")
        verbose_name_plural = _("年度计划事项")
        ordering = ["plan", "kind", "month", "id"]
        constraints = [models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plan_item_month_1_12")]

    def __str__(self):
        return f"{self.plan.year}-{self.month:02d} {self.get_kind_display()}：{self.title}"


class PlanEvent(AppendOnlyModel):
    """The plan's audit trail: who filed, submitted, approved or returned it."""

    append_only_name = _("年度计划记录")

    plan = models.ForeignKey(Plan, verbose_name=_("年度计划"), on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=16)
    from_state = models.CharField(_("原状态"), max_length=16, choices=PlanState.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=PlanState.choices)
    comment = models.TextField(_("意见"), max_length=TEXT_MAX_CHARS, blank=True)

    class Meta:
        verbose_name = _("年度计划记录")
        verbose_name_plural = _("年度计划记录")
        ordering = ["plan", "at", "id"]


from .deputies import Deputy  # noqa: E402,F401  (代理: a model of this app, kept beside its rules)
