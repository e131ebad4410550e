"""Generated year-end compliance reports (年度减负合规报告) and their progress."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Report(models.Model):
    """One requested report. The PDF lives in the database, not on a disk:
    the web processes and the task worker may run on different hosts."""

    year = models.PositiveSmallIntegerField(_("年度"))
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("留空表示全部部门。"),
    )
    reduction = models.DecimalField(
        _("年度压减比例"), max_digits=3, decimal_places=2, default=DEFAULT_REDUCTION,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.99"))],
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("进度"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # SHA-256 over what the figures come from (reports.fingerprint), printed on
    # the cover and every footer; a provisional report with the same fingerprint
    # is reused instead of rendered again.
    fingerprint = models.CharField(_("数据指纹"), max_length=64, blank=True)
    # 报告编号: the year's sequence (gap-free in order of request) and, per year,
    # scope and reduction, the version — regenerating makes a new one, never overwrites.
    seq = models.PositiveIntegerField(_("编号序号"), null=True, blank=True)
    number = models.CharField(_("报告编号"), max_length=60, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    data_as_of = models.DateTimeField(_("数据截至"), null=True, blank=True)
    provisional = models.BooleanField(_("年度未结束"), default=False)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    summary = models.JSONField(_("数据摘要"), null=True, blank=True, editable=False)
    # reports.render.LAYOUT when rendered: a provisional report is reused only by the same layout.
    layout = models.CharField(_("版式版本"), max_length=32, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合规报告")
        verbose_name_plural = _("合规报告")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["year", "department", "fingerprint"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_0_to_100"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(pdf__isnull=False), name="report_done_has_pdf"
            ),
            models.UniqueConstraint(fields=["year", "seq"], name="report_number_unique_per_year"),
        ]

    def __str__(self):
        scope = self.department.name if self.department_id else _("全部部门")
        return f"{self.year} {scope} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def filename(self) -> str:
        scope = self.department.code if self.department_id else "all"
        return f"年度减负合规报告-{self.year}-{scope}-第{self.version}版.pdf"
