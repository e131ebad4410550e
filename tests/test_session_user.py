"""A signed-in page reads the user, their roles and whether they deputise today
in one statement (approvals.authentication.SessionUserBackend); nothing is kept
between requests."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import deputies
from tests.factory import make_user, role_group

pytestmark = pytest.mark.django_db


def _user_queries(client, url="/proposals/todo/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reads = [q["sql"] for q in queries.captured_queries
             if 'FROM "quotas_user"' in q["sql"] or "auth_group" in q["sql"] or "approvals_deputy" in q["sql"]]
    return response, reads


def test_one_statement_reads_who_is_signed_in(people, client):
    client.force_login(people.head)
    response, reads = _user_queries(client)
    assert response.status_code == 200
    assert len(reads) == 1, reads


def test_a_removed_role_counts_from_the_next_request(people, client):
    client.force_login(people.reviewer)
    assert client.get("/proposals/todo/").context["user"].roles == {"reviewer"}
    people.reviewer.groups.remove(role_group("reviewer"))
    assert client.get("/proposals/todo/").context["user"].roles == set()


def test_a_deactivated_user_is_signed_out_at_once(people, client):
    client.force_login(people.clerk)
    assert client.get("/proposals/").status_code == 200
    people.clerk.is_active = False
    people.clerk.save()
    assert client.get("/proposals/").status_code == 302


def test_a_deputy_of_today_still_reads_their_deputyships(people, client):
    today = dt.date.today()
    stand_in = make_user("stand_in", role="head", department=people.dept)
    deputies.deputy_appoint(principal=people.head, deputy=stand_in, role="head",
                            start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1))
    client.force_login(stand_in)
    response, reads = _user_queries(client)
    assert response.status_code == 200
    user = response.context["user"]
    assert [row.principal for row in deputies.current_deputyships(user)] == [people.head]
