"""联合发文: no department's counters move without that department's consent.

Regression for the outside test's HIGH finding: any clerk could name any
department as `lead_department`, and the slot was charged to that department,
which took no part. A department with a document cap of 0 had its "joint"
document approved on another department's quota, and two such submissions
tripped a third department's cap. Now the department that files a joint
document leads it and is charged; the other issuers are listed as co-issuers.
"""

import pytest

from approvals import services
from approvals.models import Proposal
from quotas.models import Kind, LedgerEntry
from tests.api import client_for, document_body  # noqa: F401 (autouse language fixture)
from tests.factory import People, make_quota, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    people = People(year=2028)
    # The attacked setting: JH-EDU may issue nothing in 2028, JH-AGRI has room.
    people.quota = make_quota(people.dept, year=2028, kind=Kind.DOCUMENT, cap=0)
    people.agri_quota = make_quota(people.other, year=2028, kind=Kind.DOCUMENT, cap=2)
    return people


def _agri_unchanged(people):
    quota = reload(people.agri_quota)
    assert (quota.reserved, quota.committed, quota.overridden) == (0, 0, 0)
    assert not LedgerEntry.objects.filter(quota=quota).exclude(action="cap").exists()


def test_it_refuses_a_joint_document_that_names_another_department_as_lead(people):
    body = document_body(year=2028, is_joint=True, lead_department="JH-AGRI")
    response = client_for(people.clerk).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "joint_lead_must_file"
    assert "lead_department" in response.json()["errors"]
    assert not Proposal.objects.exists()
    _agri_unchanged(people)


def test_it_refuses_to_move_the_lead_to_another_department_on_edit(people):
    draft = people.document(is_joint=True)
    response = client_for(people.clerk).patch(
        f"/api/v1/proposals/{draft.pk}/", {"lead_department": "JH-AGRI"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "joint_lead_must_file"


def test_the_service_refuses_another_lead_whatever_calls_it(people):
    with pytest.raises(services.SubmissionRefused) as refused:
        people.document(is_joint=True, lead_department=people.other)
    assert refused.value.code == "joint_lead_must_file"


def test_a_joint_document_is_charged_to_the_filing_department_only(people):
    """The attack replayed: the cap-0 department's joint documents are refused with
    409 on its own quota, and the co-issuer's quota does not move."""
    client = client_for(people.clerk)
    for _ in range(2):
        created = client.post("/api/v1/proposals/", document_body(
            year=2028, is_joint=True, co_departments=["JH-AGRI"]), format="json")
        assert created.status_code == 201, created.json()
        submitted = client.post(f"/api/v1/proposals/{created.json()['id']}/submit/", {}, format="json")
        assert submitted.status_code == 409
        assert submitted.json()["quota"]["department"] == "JH-EDU"
    _agri_unchanged(people)
    # JH-AGRI's own document still goes through.
    own = people.document(by=people.outsider)
    services.proposal_submit(proposal=own, by=people.outsider)
    assert reload(people.agri_quota).reserved == 1


def test_a_joint_document_needs_its_co_issuers_listed(people):
    draft = people.document(is_joint=True)
    response = client_for(people.clerk).post(f"/api/v1/proposals/{draft.pk}/submit/", {}, format="json")
    assert response.status_code == 400 and "co_departments" in response.json()["errors"]


def test_a_co_issuer_cannot_be_the_filing_department_itself(people):
    body = document_body(year=2028, is_joint=True, co_departments=["JH-EDU"])
    response = client_for(people.clerk).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 400 and "co_departments" in response.json()["errors"]


def test_co_issuers_see_the_item_but_cannot_act_on_it(people):
    draft = people.document(is_joint=True, co_departments=[people.other])
    assert client_for(people.outsider).get(f"/api/v1/proposals/{draft.pk}/").status_code == 200
    assert client_for(people.outsider).post(
        f"/api/v1/proposals/{draft.pk}/submit/", {}, format="json").status_code == 403
    listed = client_for(people.other_head).get("/api/v1/proposals/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [draft.pk]


def test_the_reviewer_sees_who_leads_and_who_co_issues(people, client):
    from quotas.services import quota_set_cap

    quota_set_cap(department=people.dept, year=2028, kind=Kind.DOCUMENT, cap=1)
    draft = people.submitted(people.document(is_joint=True, co_departments=[people.other]))
    client.force_login(people.reviewer)
    page = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert "牵头并计入总量：江海市教育局" in page and "联合发文单位：江海市农业农村局" in page


def test_the_web_form_offers_co_issuers_and_no_other_lead(people, client):
    client.force_login(people.clerk)
    page = client.get("/proposals/new/document/")
    form = page.content.decode()
    assert 'name="lead_department"' not in form and 'name="co_departments"' in form
    offered = page.context["form"].fields["co_departments"].queryset
    assert people.other in offered and people.dept not in offered
    response = client.post("/proposals/new/document/", {
        "title": "联合通知", "necessity": "两部门共同部署。", "is_joint": "on",
        "co_departments": [people.other.pk], "planned_date": "2028-05-06",
    })
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert list(proposal.co_departments.all()) == [people.other]
    assert proposal.lead_department == people.dept
