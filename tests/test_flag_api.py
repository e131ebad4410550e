"""The flags API per issue 15's contract: reporters file (201), the office triages
(200, twice → 409), lists give each caller what it may see, `reporter: null`
for everyone but the office and the reporter."""

import pytest
from django.utils import timezone

from grassroots.models import Flag
from tests.api import client_for, document_body
from tests.factory import People
from tests.grassroots import Grassroots

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=2)


@pytest.fixture
def grassroots(people):
    return Grassroots(people)


def body(**fields):
    values = {"issuer": "JH-EDU", "channel": "chat_group", "kind": "document",
              "received_on": str(timezone.localdate()), "summary": "工作群要求两天内报送排查台账。",
              "claimed_number": "江减备〔2026〕0999号"}
    values.update(fields)
    return values


def test_a_reporter_files_a_flag(grassroots):
    response = client_for(grassroots.reporter).post("/api/v1/flags/", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["state"], data["issuer"], data["reporter"], data["unit"]) == (
        "open", "JH-EDU", "grassroots_town", "JH-QS-LX")
    assert Flag.objects.get(pk=data["id"]).reporter == grassroots.reporter


@pytest.mark.parametrize("who", ["clerk", "head", "reviewer", "auditor"])
def test_others_may_not_file(people, grassroots, who):
    response = client_for(getattr(people, who)).post("/api/v1/flags/", body(), format="json")
    assert response.status_code == 403
    assert not Flag.objects.exists()


def test_anonymous_callers_get_401(grassroots):
    assert client_for().post("/api/v1/flags/", body(), format="json").status_code == 401
    assert client_for().get("/api/v1/flags/").status_code == 401


def test_bad_data_is_a_400_with_field_errors(grassroots):
    response = client_for(grassroots.reporter).post(
        "/api/v1/flags/", body(channel="carrier_pigeon", issuer="NOPE"), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"channel", "issuer"}


def test_confirming_moves_the_issuers_quota_and_deciding_twice_is_409(people, grassroots):
    flag = grassroots.flag()
    office = client_for(people.reviewer)
    response = office.post(f"/api/v1/flags/{flag.pk}/triage/", {"decision": "confirm", "comment": "属实"},
                           format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "confirmed"
    quotas = client_for(people.clerk).get(f"/api/v1/quotas/?year={people.year}&kind=document").json()
    mine = [q for q in quotas["results"] if q["department"] == "JH-EDU"][0]
    assert (mine["flagged"], mine["remaining"]) == (1, 1)
    again = office.post(f"/api/v1/flags/{flag.pk}/triage/", {"decision": "dismiss", "comment": "x"},
                        format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "flag_already_decided"


def test_the_next_submission_after_a_confirmed_flag_is_409(people, grassroots):
    people.submitted(people.document())
    grassroots.confirmed()
    clerk = client_for(people.clerk)
    draft = clerk.post("/api/v1/proposals/", document_body(year=people.year), format="json").json()
    response = clerk.post(f"/api/v1/proposals/{draft['id']}/submit/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "quota_exhausted"
    assert response.json()["quota"]["flagged"] == 1


def test_match_names_a_registered_item(people, grassroots):
    item = people.approved(people.document())
    flag = grassroots.flag()
    office = client_for(people.reviewer)
    unknown = office.post(f"/api/v1/flags/{flag.pk}/triage/", {"decision": "match", "proposal": 10**9},
                          format="json")
    assert unknown.status_code == 400
    response = office.post(f"/api/v1/flags/{flag.pk}/triage/", {"decision": "match", "proposal": item.pk},
                           format="json")
    assert response.status_code == 200
    assert response.json()["matched_number"].startswith("江减备")


def test_only_the_office_triages(people, grassroots):
    flag = grassroots.flag()
    for who in (people.clerk, people.head, people.auditor, grassroots.reporter):
        response = client_for(who).post(f"/api/v1/flags/{flag.pk}/triage/", {"decision": "confirm"},
                                        format="json")
        assert response.status_code == 403, who
    # A department's people who are not the issuer do not even learn that it exists.
    response = client_for(people.outsider).post(f"/api/v1/flags/{flag.pk}/triage/",
                                                {"decision": "confirm"}, format="json")
    assert response.status_code == 404


def test_each_caller_lists_what_it_may_see_and_only_the_office_sees_the_reporter(people, grassroots):
    mine = grassroots.flag()
    grassroots.flag(by=grassroots.village_reporter)
    grassroots.flag(by=grassroots.village_reporter, issuer=people.other)

    def listed(user):
        data = client_for(user).get("/api/v1/flags/").json()
        assert set(data) == {"count", "next", "previous", "results"}
        return data["results"]

    assert [f["id"] for f in listed(grassroots.reporter)] == [mine.pk]
    assert listed(grassroots.reporter)[0]["reporter"] == "grassroots_town"
    issuer_view = listed(people.clerk) + listed(people.head)
    assert len(issuer_view) == 4 and {f["issuer"] for f in issuer_view} == {"JH-EDU"}
    assert all(f["reporter"] is None and f["unit"] is None for f in issuer_view)
    assert {f["issuer"] for f in listed(people.outsider)} == {"JH-AGRI"}
    auditor_view = listed(people.auditor)
    assert len(auditor_view) == 3 and all(f["reporter"] is None for f in auditor_view)
    office_view = listed(people.reviewer)
    assert len(office_view) == 3
    assert {f["reporter"] for f in office_view} == {"grassroots_town", "grassroots_village"}


def test_the_issuer_reads_one_flag_without_its_reporter(people, grassroots):
    flag = grassroots.flag()
    data = client_for(people.head).get(f"/api/v1/flags/{flag.pk}/").json()
    assert (data["reporter"], data["unit"]) == (None, None)
    text = str(data)
    assert "grassroots_town" not in text and "JH-QS-LX" not in text
    assert client_for(grassroots.village_reporter).get(f"/api/v1/flags/{flag.pk}/").status_code == 404


def test_the_list_is_paginated_and_filtered(people, grassroots):
    for _ in range(3):
        grassroots.flag()
    data = client_for(people.reviewer).get("/api/v1/flags/?state=open&page_size=2").json()
    assert data["count"] == 3
    assert client_for(people.reviewer).get("/api/v1/flags/?state=nonsense").status_code == 400


def test_a_reporter_files_with_evidence_as_multipart(grassroots):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    files = [SimpleUploadedFile("a.png", png), SimpleUploadedFile("b.png", png)]
    response = client_for(grassroots.reporter).post("/api/v1/flags/", {**body(), "evidence": files},
                                                    format="multipart")
    assert response.status_code == 201, response.json()
    assert (response.json()["evidence"], response.json()["evidence_count"]) == (["a.png", "b.png"], 2)
    issuer_view = client_for(grassroots.people.head).get(f"/api/v1/flags/{response.json()['id']}/").json()
    assert (issuer_view["evidence"], issuer_view["evidence_count"]) == ([], 2)
    fake = SimpleUploadedFile("c.png", b"GIF89a not a png")
    refused = client_for(grassroots.reporter).post("/api/v1/flags/", {**body(), "evidence": [fake]},
                                                   format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "file_type_mismatch")
