"""The receiving end: flags of burden that went around the gate (明减暗增线索).

A grassroots reporter (基层联络员) of a township or village unit files a flag;
the review office confirms it (charged to the issuer's quota as `flagged`),
dismisses it with a reason the reporter sees, or matches it to a registered
item (it was not hidden). Who filed a flag is shown only to the review office
(grassroots.policy.sees_reporter): the issuer never learns it.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from quotas.limits import TEXT_MAX_CHARS
from quotas.models import Kind
from quotas.validators import MAX_YEAR, MIN_YEAR, validate_year


class Channel(models.TextChoices):
    """How the burden arrived without passing the gate."""

    WHITE_HEAD = "white_head", _("白头文件")
    MEMO = "memo", _("便笺")
    CHAT_GROUP = "chat_group", _("工作群通知")
    PHONE = "phone", _("电话/口头通知")
    UNREGISTERED_MEETING = "unregistered_meeting", _("未备案会议")
    FORMS = "forms", _("报表/材料")


class FlagState(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("不予认定")
    MATCHED = "matched", _("已备案")


class Decision(models.TextChoices):
    CONFIRM = "confirm", _("确认（计入发文/会议部门总量）")
    DISMISS = "dismiss", _("不予认定")
    MATCH = "match", _("匹配已备案事项")


STATE_OF_DECISION = {Decision.CONFIRM: FlagState.CONFIRMED, Decision.DISMISS: FlagState.DISMISSED,
                     Decision.MATCH: FlagState.MATCHED}
SUMMARY_MAX_CHARS = 2000


class Flag(models.Model):
    # Who filed it: never shown to the issuer (grassroots.policy.sees_reporter).
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("基层联络员"),
                                 on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("quotas.Department", verbose_name=_("反映单位"),
                             on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey("quotas.Department", verbose_name=_("发文/开会部门"),
                               on_delete=models.PROTECT, related_name="flags")
    channel = models.CharField(_("渠道"), max_length=24, choices=Channel.choices)
    kind = models.CharField(_("实为"), max_length=16, choices=Kind.choices)
    received_on = models.DateField(_("收到日期"), validators=[validate_year])
    summary = models.TextField(_("内容摘要"), max_length=SUMMARY_MAX_CHARS)
    # What it demanded of the unit.
    forms_demanded = models.PositiveIntegerField(_("要求填报表格数"), default=0,
                                                 validators=[MaxValueValidator(1000)])
    materials_demanded = models.PositiveIntegerField(_("要求报送材料数"), default=0,
                                                     validators=[MaxValueValidator(1000)])
    attendees_demanded = models.PositiveIntegerField(_("要求参会人数"), default=0,
                                                     validators=[MaxValueValidator(100_000)])
    hours_demanded = models.PositiveIntegerField(_("耗费工时（小时）"), default=0,
                                                 validators=[MaxValueValidator(100_000)])
    claimed_number = models.CharField(_("声称的减负备案号"), max_length=40, blank=True)
    filed_at = models.DateTimeField(_("反映时间"), auto_now_add=True)
    due_on = models.DateField(_("核查期限"))

    state = models.CharField(_("状态"), max_length=16, choices=FlagState.choices, default=FlagState.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    answer = models.TextField(_("核查意见"), max_length=TEXT_MAX_CHARS, blank=True)
    matched_proposal = models.ForeignKey("approvals.Proposal", verbose_name=_("匹配的备案事项"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="flags")
    quota = models.ForeignKey("quotas.Quota", verbose_name=_("计入总量"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="flags")
    ledger_entries = GenericRelation("quotas.LedgerEntry", content_type_field="source_type",
                                     object_id_field="source_id", related_query_name="flag")

    class Meta:
        verbose_name = _("明减暗增线索")
        verbose_name_plural = _("明减暗增线索")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["issuer", "received_on"]), models.Index(fields=["state"])]
        constraints = [
            # A confirmed flag names the quota it was charged to; a matched one its item.
            models.CheckConstraint(condition=Q(state="confirmed", quota__isnull=False)
                                   | (~Q(state="confirmed") & Q(quota__isnull=True)),
                                   name="flag_charged_iff_confirmed"),
            models.CheckConstraint(condition=Q(state="matched", matched_proposal__isnull=False)
                                   | (~Q(state="matched") & Q(matched_proposal__isnull=True)),
                                   name="flag_matched_iff_item"),
            models.CheckConstraint(condition=Q(state="open") | Q(decided_at__isnull=False),
                                   name="flag_decided_has_time"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()} · {self.issuer.name}"

    @property
    def year(self) -> int:
        """The year whose quota a confirmed flag is charged to: the day it was
        received (a calendar date, entered as Asia/Shanghai sees it)."""
        return self.received_on.year

    @property
    def is_open(self) -> bool:
        return self.state == FlagState.OPEN


def evidence_path(instance, filename: str) -> str:
    # A random stored name: the reporter's file name is kept in `name`, never in a path.
    return f"flag-evidence/{instance.flag_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file the reporter attached (photo of the notice, screenshot, the form)."""

    flag = models.ForeignKey(Flag, verbose_name=_("线索"), on_delete=models.PROTECT,
                             related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据文件")
        verbose_name_plural = _("证据文件")
        ordering = ["flag", "id"]

    def __str__(self):
        return self.name


# --- 逆向考核: grassroots units rate the departments above them -------------------

YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]

class EvaluationWindow(models.Model):
    """The weeks of a year in which grassroots units rate (and may revise). Open
    from `opens_at` until just before `closes_at`, instants the office enters as
    Asia/Shanghai dates. Results are published only once it has closed, and a
    closed window stays closed: watching the figures move while units rate, or
    reopening to rate again, would tell a department who rated what."""

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True, validators=YEAR_VALIDATORS)
    opens_at = models.DateTimeField(_("开始"))
    closes_at = models.DateTimeField(_("截止"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("开启人"),
                                  on_delete=models.PROTECT, related_name="+")
    closed_early_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提前关闭人"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("逆向考核时段")
        verbose_name_plural = _("逆向考核时段")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")),
                                              name="evaluation_window_closes_after_opening")]

    def __str__(self):
        return f"{self.year}"

    def is_open(self, now) -> bool:
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now) -> bool:
        return now >= self.closes_at


class Dimension(models.TextChoices):
    """What a unit rates, 1–5, 5 always the best: 5 = very necessary, very
    effective, a very light burden, no formalism at all."""

    NECESSITY = "necessity", _("必要性")
    EFFECT = "effect", _("实效")
    BURDEN = "burden", _("负担轻重")
    FORMALISM = "formalism", _("形式主义（陪会、留痕、材料）")


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Rating(models.Model):
    """One unit's rating of one department for one year.

    There is no unit and no user on the row: `rater_key` is a keyed hash of the
    unit and the year (grassroots.evaluations.rater_key), enough to find and
    replace the unit's own rating, useless for finding the unit from the row.
    Who rated is known to the rater only — not to the office, not to the admin."""

    rater_key = models.CharField(max_length=64, editable=False)
    department = models.ForeignKey("quotas.Department", verbose_name=_("被评部门"),
                                   on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("考核年度"), validators=YEAR_VALIDATORS)
    necessity = models.PositiveSmallIntegerField(Dimension.NECESSITY.label, validators=SCORE_VALIDATORS)
    effect = models.PositiveSmallIntegerField(Dimension.EFFECT.label, validators=SCORE_VALIDATORS)
    burden = models.PositiveSmallIntegerField(Dimension.BURDEN.label, validators=SCORE_VALIDATORS)
    formalism = models.PositiveSmallIntegerField(Dimension.FORMALISM.label, validators=SCORE_VALIDATORS)
    comment = models.TextField(_("意见建议"), max_length=SUMMARY_MAX_CHARS, blank=True)
    # The office releases a comment to the rated department after the window has
    # closed, edited to remove anything that names the unit or a person.
    released_text = models.TextField(_("公开的意见（已去除可识别信息）"), max_length=SUMMARY_MAX_CHARS, blank=True)

    class Meta:
        verbose_name = _("逆向考核评价")
        verbose_name_plural = _("逆向考核评价")
        ordering = ["department", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rater_key", "department", "year"],
                                    name="rating_one_per_unit_department_year"),
            *[models.CheckConstraint(condition=Q(**{f"{d}__gte": 1, f"{d}__lte": 5}),
                                     name=f"rating_{d}_1_to_5") for d in Dimension.values],
        ]

    def __str__(self):
        return f"{self.year} · {self.department.name}"


# --- 监测点: units that log each month what actually arrived ---------------------

class MonitoringPoint(models.Model):
    unit = models.OneToOneField("quotas.Department", verbose_name=_("监测点单位"), on_delete=models.PROTECT,
                                related_name="monitoring_point")
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设立人"),
                                      on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField(_("设立时间"), auto_now_add=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        ordering = ["unit__code"]

    def __str__(self):
        return self.unit.name


class SurveyQuestion(models.Model):
    """A question of the burden-perception survey (负担感知), set by the office,
    answered 1–5 with each monthly log while it is active."""

    text = models.CharField(_("问题"), max_length=200)
    active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"),
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("负担感知问题")
        verbose_name_plural = _("负担感知问题")
        ordering = ["id"]

    def __str__(self):
        return self.text


class MonthlyLog(models.Model):
    """A monitoring point's confirmed log of one month: what the gate registered
    for it then (a snapshot, grassroots.monitoring.prefilled_log) and how many
    items it added that came outside the gate, each filed as a Flag."""

    unit = models.ForeignKey("quotas.Department", verbose_name=_("监测点单位"), on_delete=models.PROTECT,
                             related_name="monthly_logs")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"),
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    registered = models.JSONField(_("备案事项（确认时）"), default=dict)
    note = models.TextField(_("说明"), max_length=SUMMARY_MAX_CHARS, blank=True)
    flags = models.ManyToManyField(Flag, verbose_name=_("补充的线索"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("监测点月度台账")
        verbose_name_plural = _("监测点月度台账")
        ordering = ["-year", "-month", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month"], name="monthly_log_one_per_unit_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="monthly_log_month_1_12"),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.year}-{self.month:02d}"


class SurveyAnswer(models.Model):
    log = models.ForeignKey(MonthlyLog, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("评分"), validators=SCORE_VALIDATORS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "question"], name="survey_answer_once"),
                       models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_1_5")]


# --- 整改: the loop closes -------------------------------------------------------

class RectificationState(models.TextChoices):
    OPEN = "open", _("待部门提出整改措施")
    PLANNED = "planned", _("整改中")
    CLOSED = "closed", _("已销号")


class Rectification(models.Model):
    """A 整改 item for a department, opened by the office from a confirmed flag
    or from the department's low rating of a year; the department says what will
    change and by when; the office closes it when it has changed."""

    department = models.ForeignKey("quotas.Department", verbose_name=_("整改部门"), on_delete=models.PROTECT,
                                   related_name="rectifications")
    flag = models.ForeignKey(Flag, verbose_name=_("来源线索"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rectifications")
    rating_year = models.PositiveSmallIntegerField(_("来源：逆向考核年度"), null=True, blank=True)
    problem = models.TextField(_("问题"), max_length=TEXT_MAX_CHARS)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("交办时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=16, choices=RectificationState.choices,
                             default=RectificationState.OPEN)
    measures = models.TextField(_("整改措施（改什么）"), max_length=TEXT_MAX_CHARS, blank=True)
    due_on = models.DateField(_("整改时限"), null=True, blank=True, validators=[validate_year])
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("部门答复人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closing_note = models.TextField(_("销号意见"), max_length=TEXT_MAX_CHARS, blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["state", "due_on", "id"]
        constraints = [
            # From exactly one source.
            models.CheckConstraint(condition=Q(flag__isnull=False, rating_year__isnull=True)
                                   | Q(flag__isnull=True, rating_year__isnull=False),
                                   name="rectification_one_source"),
            models.CheckConstraint(condition=Q(state="open") | (Q(due_on__isnull=False) & ~Q(measures="")),
                                   name="rectification_planned_has_plan"),
            models.CheckConstraint(condition=~Q(state="closed") | Q(closed_at__isnull=False),
                                   name="rectification_closed_has_time"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.department.name}"

    @property
    def source_label(self) -> str:
        if self.flag_id:
            return _("明减暗增线索 #{id}").format(id=self.flag_id)
        return _("{year} 年度逆向考核").format(year=self.rating_year)
