"""Lists are bounded whatever the data size (API and web), and their filters
parse their input.

Regression: GET /api/v1/proposals/ returned all 31,000 proposals (27.7 MB in
8.8 s) and six parallel calls stalled the site; `/proposals/?quota=²` was a 500
because str.isdigit() accepts superscripts.
"""

import pytest

from approvals.models import Proposal
from tests.api import client_for  # noqa: F401
from tests.factory import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    people = People()
    Proposal.objects.bulk_create([
        Proposal(kind="document", department=people.dept, created_by=people.clerk,
                 title=f"通知 {n}", necessity="测试。") for n in range(120)
    ])
    return people


def test_the_api_list_is_paginated_50_a_page(people):
    body = client_for(people.clerk).get("/api/v1/proposals/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"]), body["previous"]) == (120, 50, None)
    assert "page=2" in body["next"]
    last = client_for(people.clerk).get("/api/v1/proposals/", {"page": 3}).json()
    assert (len(last["results"]), last["next"]) == (20, None)


def test_the_api_page_size_is_at_most_100(people):
    body = client_for(people.clerk).get("/api/v1/proposals/", {"page_size": 1000}).json()
    assert len(body["results"]) == 100


def test_a_page_beyond_the_end_is_a_json_404(people):
    response = client_for(people.clerk).get("/api/v1/proposals/", {"page": 99})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/quotas/", "/api/v1/departments/"])
def test_every_api_list_is_paginated(people, path):
    assert set(client_for(people.reviewer).get(path).json()) == {"count", "next", "previous", "results"}


def test_the_web_list_shows_50_a_page_with_links(people, client):
    client.force_login(people.clerk)
    first = client.get("/proposals/", {"kind": "document"})
    assert len(first.context["proposals"]) == 50
    page = first.content.decode()
    assert "第 1 / 3 页，共 120 条" in page and "kind=document&amp;page=2" in page
    assert len(client.get("/proposals/", {"page": 3}).context["proposals"]) == 20


@pytest.mark.parametrize("value", ["²", "①", "٣", "x", "99999999999999999999999"])
def test_a_bad_quota_filter_is_a_clear_400_not_a_500(people, client, value):
    client.force_login(people.clerk)
    response = client.get("/proposals/", {"quota": value})
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "筛选条件有误" in response.content.decode()


def test_the_public_cost_page_is_paginated_too(people, client):
    assert client.get("/public/meeting-costs/", {"page": "nonsense"}).status_code == 200
