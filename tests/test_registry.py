"""减负备案号: given once in the approving transaction, in the set format, gap-free
per year (the year the item counts against) and carried by the API."""

import datetime as dt
from unittest import mock

import pytest
from django.test import override_settings

from approvals import services
from approvals.models import RegistryCounter, State
from tests.api import client_for
from tests.factory import People, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People()


def test_it_numbers_approved_items_in_order_of_approval(people):
    first = people.approved(people.document())
    second = people.approved(people.meeting())
    assert reload(first).registry_number == f"江减备〔{people.year}〕0001号"
    assert (reload(second).registry_year, reload(second).registry_seq) == (people.year, 2)
    assert RegistryCounter.objects.get(year=people.year).last == 2


def test_it_numbers_by_the_year_the_item_counts_against_not_today(people):
    item = people.approved(people.document())
    assert people.year != dt.date.today().year
    assert reload(item).registry_number.startswith(f"江减备〔{people.year}〕")


def test_it_numbers_the_leaders_approval_not_the_office_forwarding(people):
    item = people.document(one_vote_veto=True)  # escalates: the office forwards it
    people.approved(item)
    assert reload(item).state == State.LEADER_REVIEW
    assert reload(item).registry_number is None
    services.proposal_decide(proposal=item, by=people.leader, decision="approve")
    assert reload(item).registry_number == f"江减备〔{people.year}〕0001号"


def test_items_that_were_not_approved_get_no_number(people):
    rejected = people.at_office(people.document())
    services.proposal_decide(proposal=rejected, by=people.reviewer, decision="reject", comment="可合并。")
    withdrawn = people.submitted(people.document())
    services.proposal_withdraw(proposal=withdrawn, by=people.clerk)
    in_review = people.at_office(people.document())
    assert [reload(p).registry_number for p in (rejected, withdrawn, in_review)] == [None, None, None]
    assert not RegistryCounter.objects.exists()


def test_a_cancelled_item_keeps_its_number_and_the_next_gets_the_next(people):
    item = people.approved(people.document())
    services.proposal_cancel(proposal=item, by=people.clerk, comment="不再印发。")
    later = people.approved(people.document())
    assert (reload(item).registry_seq, reload(later).registry_seq) == (1, 2)


def test_a_rolled_back_approval_leaves_no_gap(people):
    """Regression guard: the number is taken inside the approving transaction, so
    an approval that fails after it (here: handing the engine's task on) gives the
    number back — the next approval gets 0001, not 0002."""
    item = people.at_office(people.document())
    with mock.patch("approvals.services._finish_task", side_effect=RuntimeError("engine down")):
        with pytest.raises(RuntimeError):
            services.proposal_decide(proposal=item, by=people.reviewer, decision="approve")
    assert reload(item).registry_number is None
    assert reload(item).state == State.OFFICE_REVIEW
    services.proposal_decide(proposal=item, by=people.reviewer, decision="approve")
    assert reload(item).registry_seq == 1


@override_settings(JIANFU={**__import__("django.conf").conf.settings.JIANFU,
                           "REGISTRY_FORMAT": "JJB-{year}-{seq:06d}"})
def test_the_format_is_a_setting(people):
    item = people.approved(people.document())
    assert reload(item).registry_number == f"JJB-{people.year}-000001"


def test_the_api_detail_carries_the_number(people):
    item = people.approved(people.document())
    body = client_for(people.clerk).get(f"/api/v1/proposals/{item.pk}/").json()
    assert body["registry_number"] == f"江减备〔{people.year}〕0001号"
    draft = people.document()
    assert client_for(people.clerk).get(f"/api/v1/proposals/{draft.pk}/").json()["registry_number"] is None


def test_the_item_page_shows_the_number(people, client):
    item = people.approved(people.document())
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{item.pk}/").content.decode()
    assert f"江减备〔{people.year}〕0001号" in page
