"""通知 (issue 14, item 3): sent once per event and recipient — also when a job is
retried or two workers run it — in the app and by e-mail (locmem here), with a
per-user opt-out; daily overdue reminders and the office's 督办 digest. Nothing
is ever decided automatically."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from approvals import services
from approvals.models import Proposal
from notifications import services as notify
from notifications.models import Notification, Preference
from tests.api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(people):
    for user in (people.clerk, people.head, people.reviewer, people.leader):
        user.email = f"{user.username}@example.cn"
        user.save()
    return people


def _kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_item_that_reaches_a_to_do_notifies_its_people_once(emails, django_capture_on_commit_callbacks):
    people = emails
    with django_capture_on_commit_callbacks(execute=True):
        p = people.submitted(people.document())
    assert _kinds(people.head) == ["todo"]
    note = Notification.objects.get(recipient=people.head)
    assert f"#{p.pk}" in note.message and "等待您审签" in note.message
    assert [m.to for m in mail.outbox] == [["head@example.cn"]]
    event = p.events.get(action="submit")
    notify.notify_event(event.pk)  # a retried job
    notify.notify_event(event.pk)
    assert Notification.objects.filter(recipient=people.head).count() == 1 and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert _kinds(people.reviewer) == ["todo"] and not Notification.objects.filter(recipient=people.auditor).exists()


def test_returned_and_decided_items_tell_the_clerk(emails, django_capture_on_commit_callbacks):
    people = emails
    p = people.at_office(people.document())
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    note = Notification.objects.get(recipient=people.clerk)
    assert note.kind == "returned" and "请压缩篇幅" in note.message
    q = people.at_office(people.document())
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposal=q, by=people.reviewer, decision="approve")
    note = Notification.objects.filter(recipient=people.clerk, kind="decided").get()
    assert "已批准" in note.message and Proposal.objects.get(pk=q.pk).registry_number in note.message


def test_a_user_may_turn_e_mail_off(emails, django_capture_on_commit_callbacks, client):
    people = emails
    client.force_login(people.head)
    assert client.post("/notifications/preference/", {}).status_code == 302  # box unticked
    assert Preference.objects.get(user=people.head).email is False
    with django_capture_on_commit_callbacks(execute=True):
        people.submitted(people.document())
    assert _kinds(people.head) == ["todo"] and mail.outbox == []


def test_the_bell_the_list_and_the_api(emails, django_capture_on_commit_callbacks, client):
    people = emails
    with django_capture_on_commit_callbacks(execute=True):
        p = people.submitted(people.document())
        people.submitted(people.document(title="第二件"))
    client.force_login(people.head)
    page = client.get("/proposals/todo/").content.decode()
    assert 'id="bell"' in page and '2 条未读' in page
    body = client_for(people.head).get("/api/v1/notifications/").json()
    assert body["count"] == 2 and set(body["results"][0]) == {"id", "kind", "proposal", "message", "created_at",
                                                              "read"}
    assert body["results"][0]["message"].startswith(f"#{p.pk + 1}")  # newest first
    first = body["results"][1]
    answer = client_for(people.head).post(f"/api/v1/notifications/{first['id']}/read/")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert client_for(people.clerk).post(f"/api/v1/notifications/{first['id']}/read/").status_code == 404
    assert client_for().get("/api/v1/notifications/").status_code == 401
    listing = client.get("/notifications/").content.decode()
    assert "第二件" in listing and "1 条未读" in listing
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=people.head, read_at__isnull=True).exists()


@pytest.mark.people(year=2026, cap=20)
def test_overdue_reminders_and_the_digest_come_once_a_day_and_decide_nothing(emails, monkeypatch):
    people = emails
    p = people.submitted(people.document(planned_date=dt.date(2026, 12, 20)))
    states = dict(Proposal.objects.values_list("pk", "state"))
    later = dt.date.today() + dt.timedelta(days=30)
    assert notify.remind_overdue(today=dt.date.today()) == 0
    assert notify.remind_overdue(today=later) == 1
    assert notify.remind_overdue(today=later) == 0
    assert _kinds(people.head) == ["overdue"]
    assert notify.office_digest(today=later) == 1
    assert notify.office_digest(today=later) == 0
    digest = Notification.objects.get(recipient=people.reviewer, kind="digest")
    assert "督办：1 件事项超过办理时限" in digest.message and f"#{p.pk}" in digest.message
    assert dict(Proposal.objects.values_list("pk", "state")) == states  # nothing decided


def test_the_daily_command_enqueues_both_jobs(emails):
    call_command("notify_daily", verbosity=0)  # the test backend runs them at once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_job_notify_once(emails):
    people = emails
    p = people.submitted(people.document())
    event = p.events.get(action="submit").pk
    Notification.objects.all().delete()
    mail.outbox = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            notify.notify_event(event)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Notification.objects.filter(recipient=people.head).count() == 1
    assert len(mail.outbox) == 1
