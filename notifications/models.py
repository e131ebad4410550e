"""通知: what reached someone — in the app (the bell) and, unless they turned it
off, by e-mail. One row per event and recipient: `key` is unique, so a retried
or doubled job cannot notify twice (notifications.services)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TODO = "todo", _("待办")
    RETURNED = "returned", _("退回修改")
    DECIDED = "decided", _("审批结果")
    OVERDUE = "overdue", _("超期提醒")
    DIGEST = "digest", _("督办汇总")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    proposal = models.ForeignKey("approvals.Proposal", verbose_name=_("申请"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("内容"), max_length=5000)
    # What makes it one: "event:<audit row>:<user>", "overdue:<audit row>:<user>", "digest:<date>:<user>".
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.message[:60]


class Preference(models.Model):
    """Per-user choices; no row means the defaults (e-mail on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(_("同时发送电子邮件"), default=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
