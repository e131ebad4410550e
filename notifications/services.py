"""Who is told what, once. Each delivery is a row whose `key` names the event
and the recipient (unique): the job that inserts it is the one that notifies,
so a retried job or two workers running the same job add nothing; the e-mail
goes out only to the worker that claims the row's `emailed_at` first.

Nothing here changes a proposal: reminders remind, they never decide.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import policy, todo
from approvals.deputies import Deputy
from approvals.lifecycle import STEP_OF_STATE, TASK_STEP, State, Step
from approvals.models import Proposal, ProposalEvent
from quotas.models import Role, User

from .models import Kind, Notification, Preference

logger = logging.getLogger(__name__)

REVIEW_STATES = (State.HEAD_REVIEW, State.OFFICE_REVIEW, State.LEADER_REVIEW)
OVERDUE_STATES = (*REVIEW_STATES, State.RETURNED)
DECIDED = {State.APPROVED: Kind.DECIDED, State.REJECTED: Kind.DECIDED, State.RETURNED: Kind.RETURNED}


def waiting_for(proposal: Proposal) -> list:
    """Everyone whose to-do `proposal` is in now: those of the step's role and
    their deputies, asked one by one through the policy."""
    step = STEP_OF_STATE.get(proposal.state)
    if step is None:
        return []
    role = policy.ROLE_OF_STEP[step]
    candidates = User.objects.filter(is_active=True, groups__name=role)
    if step != Step.CLERK:
        today = timezone.localdate()
        deputies = Deputy.objects.filter(role=role, start__lte=today, end__gte=today).values("deputy_id")
        candidates = candidates | User.objects.filter(is_active=True, pk__in=deputies)
    return [user for user in candidates.distinct().order_by("pk") if policy.waits_for(user, proposal)]


def _title(p: Proposal) -> str:
    return f"#{p.pk} {p.title}"


def notify_event(event_id: int) -> int:
    """After a committed transition: the item reached someone's to-do, was
    returned, or was decided. Returns how many were notified now."""
    event = ProposalEvent.objects.select_related("actor").get(pk=event_id)
    proposal = Proposal.objects.select_related("department", "created_by").get(pk=event.proposal_id)
    if event.to_state in REVIEW_STATES:
        if proposal.state != event.to_state:
            return 0  # already moved on: it no longer waits for them
        action = str(todo.ACTION_NEEDED[TASK_STEP[proposal.state]])
        message = _("{title}（{department}）等待您{action}。").format(
            title=_title(proposal), department=proposal.department.name, action=action)
        return sum(_deliver(u, Kind.TODO, proposal, message, f"event:{event.pk}:{u.pk}") for u in waiting_for(proposal))
    kind = DECIDED.get(event.to_state)
    if kind is None:
        return 0
    if event.to_state == State.RETURNED:
        message = _("{title} 被退回修改：{comment}").format(title=_title(proposal), comment=event.comment)
    elif event.to_state == State.APPROVED:
        message = _("{title} 已批准，减负备案号 {number}。").format(
            title=_title(proposal), number=proposal.registry_number or "—")
    else:
        message = _("{title} 未通过：{comment}").format(title=_title(proposal), comment=event.comment)
    creator = proposal.created_by
    return int(_deliver(creator, kind, proposal, message, f"event:{event.pk}:{creator.pk}"))


def _deliver(user, kind, proposal, message: str, key: str) -> bool:
    """Insert the notification (once per key), then e-mail it (once per row)."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(recipient=user, kind=kind, proposal=proposal,
                                               message=message[:5000], key=key[:120])
        created = True
    except IntegrityError:  # a retry, or another worker got here first
        note = Notification.objects.get(key=key[:120])
        created = False
    _email(note, user)
    return created


def wants_email(user) -> bool:
    return bool(user.email) and not Preference.objects.filter(user=user, email=False).exists()


def _email(note: Notification, user) -> None:
    if not wants_email(user):
        return
    # Claim the row first: of two workers only one sends (at most once).
    claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return
    link = settings.JIANFU_SITE_URL + (reverse("approvals:detail", args=[note.proposal_id]) if note.proposal_id else "")
    try:
        send_mail(subject=f"[减负闸] {note.get_kind_display()}", message=f"{note.message}\n\n{link}",
                  from_email=None, recipient_list=[user.email])
    except Exception:  # noqa: BLE001 — the in-app notification stands; say so in the log
        logger.exception("e-mail of notification %s to %s failed", note.pk, user.pk)


def preference_set(*, user, email: bool) -> None:
    Preference.objects.update_or_create(user=user, defaults={"email": email})


def mark_read(*, note: Notification, by) -> None:
    Notification.objects.filter(pk=note.pk, recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


# --- daily: overdue reminders and the office's 督办 digest ---------------------------

def overdue_items(today: datetime.date | None = None) -> list:
    """Every to-do item past its working-day time limit (todo.items), oldest first,
    with the audit row that began its step (the reminder's key)."""
    today = today or timezone.localdate()
    began = ProposalEvent.objects.filter(proposal=OuterRef("pk"), to_state=OuterRef("state")).order_by("-at", "-id")
    open_items = (Proposal.objects.filter(state__in=OVERDUE_STATES)
                  .annotate(entered_at=todo._entered_state(), began_id=Subquery(began.values("id")[:1]))
                  .select_related("department", "created_by").order_by("entered_at", "pk"))
    return [item for item in todo.items(open_items) if item.due < today]


def remind_overdue(today: datetime.date | None = None) -> int:
    """One reminder per overdue step and person it waits for (a step that
    began again — returned and resubmitted — is a new step)."""
    sent = 0
    for item in overdue_items(today):
        p = item.proposal
        message = _("{title}（{department}）已超过办理时限 {due}，请尽快{action}。").format(
            title=_title(p), department=p.department.name, due=item.due.isoformat(), action=item.action_needed)
        for user in waiting_for(p):
            sent += _deliver(user, Kind.OVERDUE, p, message, f"overdue:{p.began_id}:{user.pk}")
    return sent


def office_digest(today: datetime.date | None = None) -> int:
    """督办: each reviewer gets, once a day, the list of overdue items."""
    today = today or timezone.localdate()
    items = overdue_items(today)
    if not items:
        return 0
    lines = [_("{title}（{department}，{action}，时限 {due}）").format(
        title=_title(i.proposal), department=i.proposal.department.name, action=i.action_needed,
        due=i.due.isoformat()) for i in items[:50]]
    more = _("……另有 {n} 件").format(n=len(items) - 50) if len(items) > 50 else ""
    message = _("督办：{n} 件事项超过办理时限：").format(n=len(items)) + "；".join(lines) + more
    reviewers = User.objects.filter(is_active=True, groups__name=Role.REVIEWER).order_by("pk")
    return sum(_deliver(u, Kind.DIGEST, None, message, f"digest:{today.isoformat()}:{u.pk}") for u in reviewers)
