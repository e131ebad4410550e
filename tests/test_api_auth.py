"""Token authentication in one statement (approvals.api.authentication): the
token, the user, the roles and whether the user deputises today — and nothing
kept between requests, so revoking a token or a role counts at once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from approvals.deputies import deputy_appoint
from quotas.models import User
from tests.api import client_for
from tests.factory import make_quota, make_user, role_group

pytestmark = pytest.mark.django_db


def token_client(user, *, language=None) -> APIClient:
    client = APIClient()
    key = Token.objects.create(user=user).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}",
                       **({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    return client


def quota_departments(client) -> set[str]:
    response = client.get("/api/v1/quotas/")
    assert response.status_code == 200, response.content
    return {row["department"] for row in response.json()["results"]}


@pytest.fixture
def quotas(people):
    """Quotas of two departments: clerks see their own, the review office all."""
    make_quota(people.other, year=people.year)


def test_it_reads_token_user_and_roles_in_one_statement(people, quotas, django_assert_num_queries):
    client = token_client(people.clerk)
    # The token with its user, roles and deputyships; the parent departments;
    # the count; the page; the page's monthly caps (one query for the page).
    # (Before: the roles and the token were two.)
    with django_assert_num_queries(5):
        assert quota_departments(client) == {"JH-EDU"}


def test_it_lets_a_reviewer_see_every_department(people, quotas, django_assert_num_queries):
    client = token_client(people.reviewer)
    with django_assert_num_queries(4):  # the token, the count, the page, its monthly caps
        assert quota_departments(client) == {"JH-EDU", "JH-AGRI"}


def test_an_authenticated_read_is_one_statement_and_its_page(people, django_assert_num_queries):
    client = token_client(people.clerk)
    # GET /api/v1/departments/ reads no role: the token with its user, the count, the page.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/departments/").status_code == 200


def test_a_clerks_proposal_list_reads_no_deputyship(people, django_assert_num_queries):
    """Before: token, groups, deputyships, count (4); nobody on the list."""
    client = token_client(people.clerk)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/proposals/").json()["count"] == 0


def test_it_authenticates_a_user_without_any_role(people, quotas):
    """The roles are a LEFT JOIN: no group still means one row, not 'no such token'."""
    nobody = make_user("nobody", department=people.other)
    assert quota_departments(token_client(nobody)) == {"JH-AGRI"}


def test_it_refuses_a_revoked_token_at_once(people, quotas):
    client = token_client(people.clerk)
    assert quota_departments(client) == {"JH-EDU"}
    Token.objects.filter(user=people.clerk).delete()
    response = client.get("/api/v1/departments/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["detail"] == "认证令牌无效。"


def test_it_refuses_an_inactive_user_at_once(people, quotas):
    client = token_client(people.clerk)
    assert quota_departments(client) == {"JH-EDU"}
    User.objects.filter(pk=people.clerk.pk).update(is_active=False)
    response = client.get("/api/v1/departments/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["detail"] == "用户未激活或者已删除。"


def test_it_answers_in_english_when_asked(people):
    client = token_client(people.clerk, language="en")
    Token.objects.filter(user=people.clerk).delete()
    assert client.get("/api/v1/departments/").json()["detail"] == "Invalid token."


def test_a_removed_role_counts_from_the_next_request(people, quotas):
    client = token_client(people.reviewer)
    assert quota_departments(client) == {"JH-EDU", "JH-AGRI"}
    people.reviewer.groups.remove(role_group("reviewer"))
    assert quota_departments(client) == set()


def test_a_granted_role_counts_from_the_next_request(people):
    client = token_client(people.clerk)
    proposal = people.document(by=people.clerk)
    assert client.post(f"/api/v1/proposals/{proposal.pk}/submit/", {}, format="json").status_code == 200
    watcher = make_user("watcher", department=people.other)
    watching = token_client(watcher)
    assert watching.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    watcher.groups.add(role_group("auditor"))
    assert watching.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200


def test_a_deputy_still_sees_what_they_sign_for(people):
    """Who deputises today is part of the one statement; the deputyships
    themselves (with the principal's roles) are read only for them."""
    proposal = people.submitted(people.document())
    client = token_client(people.other_head)
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    today = timezone.localdate()
    deputy_appoint(principal=people.head, deputy=people.other_head, role="head",
                   start=today, end=today + datetime.timedelta(days=1))
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200


def test_a_deputyship_that_ended_counts_from_the_next_request(people):
    proposal = people.submitted(people.document())
    today = timezone.localdate()
    row = deputy_appoint(principal=people.head, deputy=people.other_head, role="head",
                         start=today, end=today)
    client = token_client(people.other_head)
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200
    type(row).objects.filter(pk=row.pk).update(end=today - datetime.timedelta(days=1),
                                               start=today - datetime.timedelta(days=2))
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404


def _submit_statements(client, proposal) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


def test_a_submit_authenticates_in_one_statement(people):
    """Before: token + user, then groups, then deputyships (3 statements). Now 1.
    Compared with the same submission by a user handed in without any
    statement (force_authenticate of a fresh copy, which reads its groups and
    deputyships when the policy asks), so that the submission path's own
    statements do not matter here."""
    _submit_statements(client_for(people.clerk), people.document(by=people.clerk))  # warm caches
    by_token = _submit_statements(token_client(people.clerk), people.document(by=people.clerk))
    forced = client_for(User.objects.get(pk=people.clerk.pk))
    by_object = _submit_statements(forced, people.document(by=people.clerk))

    assert len(by_token) == len(by_object) - 1
    assert "authtoken_token" in by_token[0] and "auth_group" in by_token[0]
    assert not any("authtoken_token" in sql or "auth_group" in sql or "approvals_deputy" in sql
                   for sql in by_token[1:])
