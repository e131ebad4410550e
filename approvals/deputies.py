"""代理: a head, reviewer or leader names a deputy of the same role for a date
range; during it the deputy's to-do includes the items waiting for the
principal, and what the deputy decides is recorded as "X（代 Y）".

Separation of duties holds for the deputy as for anyone (approvals.policy): a
deputy never decides an item they drafted, nor — as reviewer or leader — one of
their own department or of the principal's.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop

from quotas.models import Role

from .errors import NotAllowed, SubmissionRefused
from .problems import Problem

# The roles that decide, and so may be deputised (a clerk's item waits for its
# department's clerks, not for one person).
DEPUTISED_ROLES = (Role.HEAD, Role.REVIEWER, Role.LEADER)
MAX_DAYS = 92

MSG_NOT_YOUR_ROLE = gettext_noop("只能为本人担任的负责人、审核人或审批人角色指定代理人。")
MSG_DEPUTY_ROLE = gettext_noop("代理人须同样担任“{role}”角色。")
MSG_SELF = gettext_noop("不能指定本人为代理人。")
MSG_DATES = gettext_noop("代理期间的结束日期不能早于开始日期，也不能早于今天。")
MSG_TOO_LONG = gettext_noop("代理期间最长 {n} 天。")
MSG_NOT_YOURS = gettext_noop("只能撤销本人指定的代理。")


class Deputy(models.Model):
    principal = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("被代理人"),
                                  on_delete=models.PROTECT, related_name="deputies_named")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("代理人"),
                               on_delete=models.PROTECT, related_name="deputyships")
    role = models.CharField(gettext_lazy("代理角色"), max_length=16,
                            choices=[(r.value, r.label) for r in DEPUTISED_ROLES])
    start = models.DateField(gettext_lazy("开始日期"))
    end = models.DateField(gettext_lazy("结束日期"))
    created_at = models.DateTimeField(gettext_lazy("指定时间"), auto_now_add=True)

    class Meta:
        app_label = "approvals"
        verbose_name = gettext_lazy("代理")
        verbose_name_plural = gettext_lazy("代理")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["deputy", "start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="deputy_end_after_start"),
            models.CheckConstraint(condition=~Q(principal=F("deputy")), name="deputy_not_self"),
        ]

    def __str__(self):
        return f"{self.deputy}（代 {self.principal}，{self.start}—{self.end}）"

    @property
    def is_current(self) -> bool:
        return self.start <= timezone.localdate() <= self.end


def acting_for(user, role: str, *, day: datetime.date | None = None) -> list:
    """The principals `user` deputises for in `role` on `day` (default today)
    who still hold that role themselves."""
    return [row.principal for row in current_deputyships(user, day=day) if row.role == role]


def current_deputyships(user, *, day: datetime.date | None = None) -> list[Deputy]:
    """Every deputyship `user` holds on `day`, with its principal: one query, kept
    on the user object for the day (a request asks for it from the to-do, the
    lists and the policy; deputy_appoint and deputy_end forget it)."""
    day = day or timezone.localdate()
    cached = getattr(user, "_deputyships", None)
    if cached is not None and cached[0] == day:
        return cached[1]
    rows = (Deputy.objects.filter(deputy_id=user.pk, start__lte=day, end__gte=day)
            .select_related("principal__department").order_by("pk"))
    found = [row for row in rows if row.role in row.principal.roles]
    user._deputyships = (day, found)
    return found


def current_exists(day: datetime.date, *, deputy) -> Exists:
    """Whether `deputy` (an id, or OuterRef("user_id") in a query that reads the user) holds any
    deputyship on `day`: for a statement that reads the user anyway
    (approvals.api.authentication), so that `remember_none` can spare the
    query of current_deputyships for the many who hold none."""
    return Exists(Deputy.objects.filter(deputy_id=deputy, start__lte=day, end__gte=day))


def remember_none(user, day: datetime.date) -> None:
    """`user` holds no deputyship on `day` (known from `current_exists`)."""
    user._deputyships = (day, [])


# --- services ---------------------------------------------------------------------

def deputy_appoint(*, principal, deputy, role: str, start: datetime.date, end: datetime.date) -> Deputy:
    """`principal` names `deputy` (of the same role) for [start, end]."""
    if role not in DEPUTISED_ROLES or role not in principal.roles:
        raise NotAllowed(_(MSG_NOT_YOUR_ROLE))
    problems = []
    if deputy.pk == principal.pk:
        problems.append(Problem("deputy", "invalid", _(MSG_SELF)))
    elif role not in deputy.roles:
        problems.append(Problem("deputy", "invalid", _(MSG_DEPUTY_ROLE).format(role=Role(role).label)))
    if end < start or end < timezone.localdate():
        problems.append(Problem("end", "invalid", _(MSG_DATES)))
    elif (end - start).days + 1 > MAX_DAYS:
        problems.append(Problem("end", "invalid", _(MSG_TOO_LONG).format(n=MAX_DAYS)))
    if problems:
        raise SubmissionRefused(problems[0].message, code="invalid", problems=problems)
    with transaction.atomic():
        row = Deputy.objects.create(principal=principal, deputy=deputy, role=role, start=start, end=end)
    deputy.__dict__.pop("_deputyships", None)
    return row


def deputy_end(*, deputyship: Deputy, by) -> None:
    """The principal ends a deputyship: one not yet begun is removed, a current
    one ends yesterday (what the deputy decided meanwhile stays recorded)."""
    if deputyship.principal_id != by.pk:
        raise NotAllowed(_(MSG_NOT_YOURS))
    today = timezone.localdate()
    with transaction.atomic():
        if deputyship.start >= today:
            Deputy.objects.filter(pk=deputyship.pk).delete()
        elif deputyship.end >= today:
            Deputy.objects.filter(pk=deputyship.pk).update(end=today - datetime.timedelta(days=1))
    deputyship.deputy.__dict__.pop("_deputyships", None)


def may_name_deputy(user) -> bool:
    return user.is_authenticated and bool(user.roles & set(DEPUTISED_ROLES))
