"""The public look-up of a 减负备案号 (/verify/ and GET /api/v1/registry/{number}/):
no login, answers only about items that went through the gate, never names the
people behind them, and throttles enumeration per client address."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from approvals import services
from tests.api import client_for
from tests.factory import People, reload

pytestmark = pytest.mark.django_db
LIMIT = settings.JIANFU["REGISTRY_LOOKUPS_PER_MINUTE"]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people():
    return People()


def api(number, **extra):
    return client_for().get(f"/api/v1/registry/{quote(number)}/", **extra)


def test_a_registered_item_is_answered_without_credentials(people):
    item = reload(people.approved(people.document()))
    response = api(item.registry_number)
    assert response.status_code == 200
    assert response.json() == {
        "number": item.registry_number, "department": "江海市教育局", "department_code": "JH-EDU",
        "kind": "document", "title": item.title, "planned_date": str(item.planned_date),
        "target_levels": ["township"], "state": "approved",
    }


def test_it_answers_nothing_about_the_people_behind_an_item(people):
    item = reload(people.approved(people.document()))
    text = api(item.registry_number).content.decode()
    page = Client().get("/verify/", {"number": item.registry_number}).content.decode()
    for secret in ("clerk", "reviewer", "head", item.necessity):
        assert secret not in text
        assert f">{secret}<" not in page and item.necessity not in page


def test_a_cancelled_item_is_shown_as_no_longer_owed(people):
    item = people.approved(people.document())
    services.proposal_cancel(proposal=item, by=people.clerk, comment="不再印发。")
    number = reload(item).registry_number
    assert api(number).json()["state"] == "cancelled"
    assert "已取消（不再执行）" in Client().get("/verify/", {"number": number}).content.decode()


def test_an_unknown_number_is_not_registered(people):
    response = api("江减备〔2027〕0001号")
    assert response.status_code == 404
    assert response.json()["code"] == "not_registered"
    page = Client().get("/verify/", {"number": "江减备〔2027〕0001号"})
    assert page.status_code == 200
    assert "未备案" in page.content.decode() and "/flags/new/" in page.content.decode()


def test_drafts_items_in_review_and_refused_items_are_not_registered(people):
    """Only approved, completed or cancelled items answer, even if a number was
    somehow stored on another (e.g. written around the services)."""
    from approvals.models import Proposal

    rejected = people.at_office(people.document())
    services.proposal_decide(proposal=rejected, by=people.reviewer, decision="reject", comment="可合并。")
    in_review = people.submitted(people.document())
    draft = people.document()
    for n, p in enumerate((rejected, in_review, draft), start=1):
        Proposal.objects.filter(pk=p.pk).update(registry_number=f"X-{n}")
        assert api(f"X-{n}").status_code == 404
        assert "未备案" in Client().get("/verify/", {"number": f"X-{n}"}).content.decode()


def test_the_page_needs_no_login_and_shows_an_empty_form(people):
    page = Client().get("/verify/")
    assert page.status_code == 200
    assert 'name="number"' in page.content.decode()


def test_lookups_are_throttled_per_client_address_across_page_and_api(people):
    item = reload(people.approved(people.document()))
    for i in range(LIMIT):
        number = item.registry_number if i % 2 else f"江减备〔2027〕{i:04d}号"
        response = api(number) if i % 3 else Client().get("/verify/", {"number": number})
        assert response.status_code in (200, 404), i
    throttled = api(item.registry_number)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled
    page = Client().get("/verify/", {"number": item.registry_number})
    assert page.status_code == 429 and item.title not in page.content.decode()
    # A forged X-Forwarded-For does not buy a new allowance (no trusted proxy is configured)…
    assert api(item.registry_number, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # …while another client is not held back by this one.
    assert api(item.registry_number, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_an_empty_form_does_not_count_against_the_limit(people):
    for _ in range(LIMIT + 5):
        assert Client().get("/verify/").status_code == 200
    assert api("nothing").status_code == 404


def test_a_number_with_slashes_is_looked_up_too(people, settings):
    settings.JIANFU = {**settings.JIANFU, "REGISTRY_FORMAT": "JJB/{year}/{seq:04d}"}
    item = reload(people.approved(people.document()))
    assert item.registry_number == f"JJB/{people.year}/0001"
    assert api(item.registry_number).json()["number"] == item.registry_number
    assert client_for().get(f"/api/v1/registry/JJB/{people.year}/0001/").status_code == 200
