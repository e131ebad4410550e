"""Departments, annual quotas (总量熔断) and their append-only ledger (台账)."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .append_only import AppendOnlyModel


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")
    VILLAGE = "village", _("村级")


# The grassroots units: those inspections visit and whose contacts speak for the receiving end.
GRASSROOTS_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)


class Kind(models.TextChoices):
    """What a quota counts."""

    DOCUMENT = "document", _("发文")
    MEETING = "meeting", _("会议")
    INSPECTION = "inspection", _("督查检查考核")


class Role(models.TextChoices):
    """The Django groups that carry each role's permissions."""

    CLERK = "clerk", _("经办人")
    HEAD = "head", _("部门负责人")
    REVIEWER = "reviewer", _("减负办审核人")
    LEADER = "leader", _("领导小组审批人")
    AUDITOR = "auditor", _("监督/考核")
    ADMINISTRATOR = "administrator", _("系统管理员")
    # A township or village unit's contact: files flags (grassroots app).
    REPORTER = "reporter", _("基层联络员")


class DepartmentManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Department(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Grassroots units and the review office itself issue nothing; only
    # issuing departments get quotas from plan_quotas.
    issues_proposals = models.BooleanField(_("发文/开会单位"), default=True)
    # 发文机关代字 (e.g. "江教"), used in document numbers; data, not the code.
    issuer_abbr = models.CharField(_("发文机关代字"), max_length=16, blank=True)

    objects = DepartmentManager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def natural_key(self):
        return (self.code,)


class User(AbstractUser):
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def roles(self) -> set[str]:
        if not hasattr(self, "_roles"):
            self._roles = set(self.groups.values_list("name", flat=True))
        return self._roles


class BreakerState(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("预警")
    TRIPPED = "tripped", _("熔断")


class Quota(models.Model):
    """One department's annual cap for one kind, with running counters.

    Counters change only through quotas.services, which write a LedgerEntry
    in the same transaction. The CHECK constraints below are the last line:
    code that forgets a check hits the database instead of over-issuing.
    """

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="quotas"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    cap = models.PositiveIntegerField(_("年度总量"))
    warning_ratio = models.DecimalField(
        _("预警比例"), max_digits=3, decimal_places=2, default=Decimal("0.80")
    )
    reserved = models.PositiveIntegerField(_("已占用（审核中）"), default=0)
    committed = models.PositiveIntegerField(_("已批准"), default=0)
    overridden = models.PositiveIntegerField(_("特事特办"), default=0)
    # 明减暗增: confirmed flags of burden issued around the gate. Facts after the
    # fact: they count as used and may push usage past the cap (shown, never
    # hidden), but never enter the CHECK on the slots the gate handed out.
    flagged = models.PositiveIntegerField(_("明减暗增（已确认）"), default=0)

    class Meta:
        verbose_name = _("年度总量")
        verbose_name_plural = _("年度总量")
        ordering = ["-year", "department__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "kind"], name="quota_one_per_department_year_kind"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(committed__gte=0) & Q(overridden__gte=0)
                & Q(flagged__gte=0),
                name="quota_counters_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap__gte=F("reserved") + F("committed")),
                name="quota_never_over_issued",
            ),
            models.CheckConstraint(
                condition=Q(warning_ratio__gt=0) & Q(warning_ratio__lte=1),
                name="quota_warning_ratio_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.department.name} {self.year} {self.get_kind_display()}"

    @property
    def issued(self) -> int:
        """Slots the gate handed out (the CHECK keeps this ≤ cap)."""
        return self.reserved + self.committed

    @property
    def used(self) -> int:
        """What counts against the cap: the slots handed out and confirmed flags."""
        return self.reserved + self.committed + self.flagged

    @property
    def over_cap(self) -> int:
        """How far confirmed flags pushed usage past the cap (0 if not)."""
        return max(self.used - self.cap, 0)

    @property
    def remaining(self) -> int:
        return max(self.cap - self.used, 0)

    @property
    def breaker_state(self) -> str:
        if self.used >= self.cap:
            return BreakerState.TRIPPED
        if self.used >= self.warning_ratio * self.cap:
            return BreakerState.WARNING
        return BreakerState.NORMAL

    def get_breaker_state_display(self) -> str:
        return BreakerState(self.breaker_state).label


class MonthlyQuota(models.Model):
    """A monthly cap inside an annual inspection quota (issue 16): e.g. the city
    lets at most N on-site inspections reach grassroots units in each month.

    One counter row per (quota, month), guarded like Quota: the CHECK keeps
    reserved + committed ≤ cap; 特事特办 exceptions (安全生产, 自然灾害) count in
    `overridden`, outside the CHECK. Its counters change only through
    quotas.services, each change with a LedgerEntry naming this row in `month`.
    """

    quota = models.ForeignKey(
        Quota, verbose_name=_("年度总量"), on_delete=models.PROTECT, related_name="months"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    cap = models.PositiveIntegerField(_("月度总量"))
    reserved = models.PositiveIntegerField(_("已占用（审核中）"), default=0)
    committed = models.PositiveIntegerField(_("已批准"), default=0)
    overridden = models.PositiveIntegerField(_("特事特办"), default=0)

    class Meta:
        verbose_name = _("月度总量")
        verbose_name_plural = _("月度总量")
        ordering = ["quota", "month"]
        constraints = [
            models.UniqueConstraint(fields=["quota", "month"], name="monthly_quota_one_per_quota_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="monthly_quota_month_1_12"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(committed__gte=0) & Q(overridden__gte=0),
                name="monthly_quota_counters_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap__gte=F("reserved") + F("committed")),
                name="monthly_quota_never_over_issued",
            ),
        ]

    def __str__(self):
        return _("{quota} {month}月").format(quota=self.quota, month=self.month)

    # The same readings as Quota's (no confirmed flags here: a flag is charged
    # to the issuer's annual quota only).
    flagged = 0
    issued = used = Quota.issued
    over_cap = Quota.over_cap
    remaining = Quota.remaining

    @property
    def breaker_state(self) -> str:
        return BreakerState.TRIPPED if self.used >= self.cap else BreakerState.NORMAL


class LedgerAction(models.TextChoices):
    RESERVE = "reserve", _("占用")
    COMMIT = "commit", _("确认")
    RELEASE = "release", _("释放")
    OVERRIDE = "override", _("特事特办")
    FLAG = "flag", _("明减暗增（确认）")
    BLOCKED = "blocked", _("熔断拦截")
    CAP = "cap", _("调整总量")


class LedgerEntry(AppendOnlyModel):
    """Append-only: one row per change to a quota's counters (and per blocked attempt).

    The deltas add up to the quota's counters (verify_ledger checks it); the
    *_after columns show the counters as they stood right after this entry.
    `source` is what caused it — a proposal today, a confirmed flag or a plan
    tomorrow — so the ledger knows nothing of the apps that write to it.
    """

    append_only_name = _("台账")

    quota = models.ForeignKey(
        Quota, verbose_name=_("年度总量"), on_delete=models.PROTECT, related_name="entries"
    )
    # Set when the entry moves a monthly counter of `quota` (its deltas and
    # *_after columns are then that month's); None for the annual counters.
    month = models.ForeignKey(
        MonthlyQuota, verbose_name=_("月度总量"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="entries",
    )
    action = models.CharField(_("动作"), max_length=16, choices=LedgerAction.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    delta_reserved = models.SmallIntegerField(default=0)
    delta_committed = models.SmallIntegerField(default=0)
    delta_overridden = models.SmallIntegerField(default=0)
    delta_flagged = models.SmallIntegerField(default=0)
    cap_after = models.PositiveIntegerField(_("总量"))
    reserved_after = models.PositiveIntegerField(_("占用后"))
    committed_after = models.PositiveIntegerField(_("确认后"))
    overridden_after = models.PositiveIntegerField(_("特事特办后"))
    flagged_after = models.PositiveIntegerField(_("明减暗增后"), default=0)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["quota", "id"]
        indexes = [models.Index(fields=["quota", "action"]),
                   models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"#{self.pk} {self.get_action_display()} {self.quota}"


class MeetingFreeRule(models.Model):
    """无会日/无会周: a weekday, the n-th week of every month, or a date range."""

    class RuleType(models.TextChoices):
        WEEKDAY = "weekday", _("每周固定无会日")
        WEEK_OF_MONTH = "week_of_month", _("每月第 N 周无会周")
        DATE_RANGE = "date_range", _("日期区间")

    name = models.CharField(_("名称"), max_length=100)
    rule_type = models.CharField(_("类型"), max_length=16, choices=RuleType.choices)
    weekday = models.PositiveSmallIntegerField(
        _("星期（1=周一 … 7=周日）"), null=True, blank=True
    )
    week_of_month = models.PositiveSmallIntegerField(_("第几周（1–5）"), null=True, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("无会日规则")
        verbose_name_plural = _("无会日规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="meeting_free_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=1, weekday__lte=7),
                name="meeting_free_weekday_1_to_7",
            ),
            models.CheckConstraint(
                condition=Q(week_of_month__isnull=True)
                | Q(week_of_month__gte=1, week_of_month__lte=5),
                name="meeting_free_week_1_to_5",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        required = {
            self.RuleType.WEEKDAY: ["weekday"],
            self.RuleType.WEEK_OF_MONTH: ["week_of_month"],
            self.RuleType.DATE_RANGE: ["start_date", "end_date"],
        }.get(self.rule_type, [])
        errors = {f: _("此类规则必须填写该项。") for f in required if getattr(self, f) is None}
        if errors:
            raise ValidationError(errors)

    def covers(self, day: datetime.date) -> bool:
        return self.first_day_covered(day, day) == day

    def first_day_covered(self, first: datetime.date, last: datetime.date) -> datetime.date | None:
        """The first day in [first, last] this rule makes meeting-free, or None.

        Computed, not walked day by day, so a check costs the same for any span.
        """
        if not self.active or last < first:
            return None
        if self.rule_type == self.RuleType.WEEKDAY:
            day = first + datetime.timedelta(days=(self.weekday - first.isoweekday()) % 7)
            return day if day <= last else None
        if self.rule_type == self.RuleType.WEEK_OF_MONTH:
            return self._first_week_day(first, last)
        day = max(first, self.start_date)
        return day if day <= min(last, self.end_date) else None

    def _first_week_day(self, first, last):
        # Week n of a month is days 7(n-1)+1 … 7n ("每月第一周" = the 1st–7th); a
        # fifth week may be empty (February), so look at most three months ahead.
        month = first.replace(day=1)
        for _ in range(3):
            next_month = (month + datetime.timedelta(days=32)).replace(day=1)
            window_start = month + datetime.timedelta(days=7 * (self.week_of_month - 1))
            window_end = min(month + datetime.timedelta(days=7 * self.week_of_month - 1),
                             next_month - datetime.timedelta(days=1))
            day = max(first, window_start)
            if window_start < next_month and day <= window_end:
                return day if day <= last else None
            if next_month > last:
                return None
            month = next_month
        return None


class Holiday(models.Model):
    """A day off that is not a weekend (法定节假日), or a weekend day that is a
    working day (调休上班). Time limits count working days over these."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    working_day = models.BooleanField(_("调休上班"), default=False,
                                      help_text=_("勾选表示该日虽是周末但照常上班。"))

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class MeetingCostRate(models.Model):
    """Per-person per-day standard for a meeting class (会议费综合定额), ¥."""

    meeting_class = models.PositiveSmallIntegerField(_("会议类别"), unique=True)
    rate = models.PositiveIntegerField(_("综合定额（元/人·天）"))

    class Meta:
        verbose_name = _("会议费标准")
        verbose_name_plural = _("会议费标准")
        ordering = ["meeting_class"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_class__gte=1, meeting_class__lte=4),
                name="meeting_class_1_to_4",
            )
        ]

    def __str__(self):
        return f"{self.meeting_class} 类会议：{self.rate} 元/人·天"
