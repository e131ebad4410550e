"""Faults mid-submission: a clear answer to the user and no partial state."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from rest_framework.test import APIClient

from approvals.models import ProposalEvent, State
from quotas.models import LedgerEntry, Quota
from tests.factory import People, reload


def _boom(*args, **kwargs):
    raise OperationalError("canceling statement due to lock timeout")


@pytest.mark.django_db
def test_a_database_error_mid_submission_is_a_503_and_leaves_nothing(client, monkeypatch):
    people = People()
    p = people.document()
    entries, events = LedgerEntry.objects.count(), ProposalEvent.objects.count()
    monkeypatch.setattr("approvals.services.quota_reserve", _boom)
    client.force_login(people.clerk)
    response = client.post(f"/proposals/{p.pk}/submit/", {})
    assert response.status_code == 503
    assert "请稍后重试" in response.content.decode()
    api = APIClient()
    api.force_authenticate(people.clerk)
    response = api.post(f"/api/v1/proposals/{p.pk}/submit/", {"emergency": False}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
    assert reload(p).state == State.DRAFT
    assert (LedgerEntry.objects.count(), ProposalEvent.objects.count()) == (entries, events)


@pytest.mark.django_db(transaction=True)
def test_a_real_lock_timeout_on_the_quota_row_is_a_503_and_changes_nothing(client):
    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's; SQLite queues on its busy timeout")
    people = People()
    p = people.document()
    holding, release = threading.Event(), threading.Event()

    def hold_the_quota_row():
        with transaction.atomic():
            Quota.objects.select_for_update().get(pk=people.quota.pk)
            holding.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_quota_row)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        client.force_login(people.clerk)
        response = client.post(f"/proposals/{p.pk}/submit/", {})
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = DEFAULT")
    assert response.status_code == 503
    assert reload(p).state == State.DRAFT
    assert reload(people.quota).reserved == 0
    assert not LedgerEntry.objects.filter(proposal=p).exists()
