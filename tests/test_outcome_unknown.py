"""A 503 says only what is known.

Regression for the outside test: with connections terminated mid-burst, 5 of 34
submissions answered 503 "nothing was changed" although they had committed. A
failure in the commit itself is now "outcome unknown, reload first"; a failure
while reading back after a committed change is that change's success.
"""

import pytest
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from approvals.models import State
from tests.factory import People, reload

pytestmark = pytest.mark.django_db(transaction=True)


def _commit_then_lose_the_connection(monkeypatch):
    """The database commits, and the answer never reaches us."""
    real_commit = connection.commit

    def commit():
        real_commit()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "commit", commit)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_connection_lost_in_the_commit_is_outcome_unknown_in_the_api(monkeypatch):
    people = People()
    draft = people.document()
    _commit_then_lose_the_connection(monkeypatch)
    response = _api(people.clerk).post(f"/api/v1/proposals/{draft.pk}/submit/", {}, format="json")
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json()["code"] == "outcome_unknown"
    assert "无法确认本次操作是否已生效" in response.json()["detail"]
    assert "未生效" not in response.json()["detail"]
    # It had in fact committed: the user is told to look, not that nothing happened.
    assert reload(draft).state == State.HEAD_REVIEW


def test_a_connection_lost_in_the_commit_is_outcome_unknown_on_the_web(monkeypatch, client):
    people = People()
    draft = people.document()
    client.force_login(people.clerk)
    _commit_then_lose_the_connection(monkeypatch)
    response = client.post(f"/proposals/{draft.pk}/submit/", {})
    monkeypatch.undo()
    assert response.status_code == 503
    page = response.content.decode()
    assert "无法确认本次操作是否已生效" in page and "本次操作未生效" not in page


def test_a_failure_before_the_commit_still_says_nothing_changed(monkeypatch):
    people = People()
    draft = people.document()

    def boom(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("approvals.services.quota_reserve", boom)
    response = _api(people.clerk).post(f"/api/v1/proposals/{draft.pk}/submit/", {}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
    assert reload(draft).state == State.DRAFT


def test_a_failed_read_back_after_a_committed_change_is_a_success(monkeypatch):
    people = People()
    draft = people.document()

    def lost(pk):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("approvals.api.views._read_back", lost)
    response = _api(people.clerk).post(f"/api/v1/proposals/{draft.pk}/submit/?expand=detail", {}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["id"], response.json()["state"]) == (draft.pk, "head_review")
    assert "warning" in response.json()
    # A plain read that fails is not dressed up as anything: 503, retry.
    assert _api(people.clerk).get(f"/api/v1/proposals/{draft.pk}/").status_code == 503
