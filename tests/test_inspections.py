"""督查检查考核, the third kind (issue 16): through the quota, the flow, the rules
and the API; the visits to one grassroots unit stay within the limits even
when approvals race."""

import datetime as dt

import pytest

from approvals import services
from approvals.models import SHANGHAI, Proposal, State
from quotas.models import Kind, Level
from tests.api import client_for
from tests.concurrency import run_in_threads
from tests.factory import People, make_department, make_quota, reload

DAY = dt.datetime(2027, 9, 14, 9, tzinfo=SHANGHAI)


def _setup(people, cap=3):
    people.town = make_department("JH-TOWN-1", name="东河镇", level=Level.TOWNSHIP, issues=False)
    people.village = make_department("JH-VIL-1", name="东河镇柳村", level=Level.VILLAGE, issues=False,
                                     parent=people.town)
    people.inspection_quota = make_quota(people.dept, year=2027, kind=Kind.INSPECTION, cap=cap)
    make_quota(people.other, year=2027, kind=Kind.INSPECTION, cap=cap)
    return people


def inspection(people, by=None, *, start=DAY, days=1, units=None, **fields):
    values = dict(title="全市校园安全专项检查", necessity="开学季安全隐患排查，须现场查看。",
                  target_levels=["township", "village"], start=start,
                  end=start + dt.timedelta(days=days - 1, hours=6), inspection_type="check",
                  inspection_mode="unannounced", days_on_site=days, criteria=["results"])
    values.update(fields)
    return services.proposal_create(by=by or people.clerk, kind="inspection",
                                    units=units if units is not None else [people.village], **values)


def approve(people, p, *, clerk=None, head=None):
    services.proposal_submit(proposal=p, by=clerk or people.clerk)
    services.proposal_decide(proposal=p, by=head or people.head, decision="approve")
    return services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")


@pytest.fixture
def inspectors(people):
    return _setup(people)


@pytest.mark.django_db
def test_an_inspection_goes_through_the_api_and_reserves_its_own_quota(inspectors):
    people = inspectors
    body = {"kind": "inspection", "title": "秋季食品安全督查", "necessity": "节前食品安全风险高。",
            "start": "2027-09-14T09:00:00+08:00", "end": "2027-09-14T17:00:00+08:00",
            "units": ["JH-VIL-1"], "inspection_type": "supervision", "mode": "open",
            "comprehensive": False, "materials_required": False, "target_levels": ["village"]}
    created = client_for(people.clerk).post("/api/v1/proposals/?expand=detail", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["units"], created.json()["mode"], created.json()["quota_year"]) == (
        ["JH-VIL-1"], "open", 2027)
    submitted = client_for(people.clerk).post(f"/api/v1/proposals/{created.json()['id']}/submit/", {},
                                              format="json")
    assert submitted.status_code == 200, submitted.json()
    assert reload(people.inspection_quota).reserved == 1
    assert reload(people.quota).reserved == 0  # the document quota did not move


@pytest.mark.django_db
def test_the_inspection_quota_trips_like_the_others(inspectors):
    people = inspectors
    for n in range(3):
        services.proposal_submit(proposal=inspection(people, start=DAY + dt.timedelta(days=7 * n)),
                                 by=people.clerk)
    with pytest.raises(services.QuotaRefused) as refused:
        services.proposal_submit(proposal=inspection(people, start=DAY + dt.timedelta(days=30)), by=people.clerk)
    assert refused.value.quota == people.inspection_quota


@pytest.mark.django_db
def test_banned_criteria_are_refused(inspectors):
    p = inspection(inspectors, criteria=["results", "photo_trail", "leader_instructions"])
    with pytest.raises(services.SubmissionRefused) as refused:
        services.proposal_submit(proposal=p, by=inspectors.clerk)
    assert refused.value.code == "banned_criteria"
    assert "领导批示数量" in str(refused.value) and "照片、视频等留痕" in str(refused.value)


@pytest.mark.django_db
def test_materials_need_a_reason_and_then_escalate(inspectors):
    p = inspection(inspectors, materials_required=True)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.proposal_submit(proposal=p, by=inspectors.clerk)
    assert refused.value.code == "materials_unjustified"
    services.proposal_update(proposal=p, by=inspectors.clerk, materials_justification="需核对近三年安全台账原件。")
    p = services.proposal_submit(proposal=p, by=inspectors.clerk)
    assert "要求被检查单位准备迎检材料（已说明理由）" in p.escalation_reasons
    services.proposal_decide(proposal=p, by=inspectors.head, decision="approve")
    p = services.proposal_decide(proposal=p, by=inspectors.reviewer, decision="approve")
    assert p.state == State.LEADER_REVIEW


@pytest.mark.django_db
def test_at_most_one_comprehensive_inspection_a_year(inspectors):
    approve(inspectors, inspection(inspectors, comprehensive=True, units=[inspectors.town]))
    second = inspection(inspectors, comprehensive=True, start=DAY + dt.timedelta(days=60),
                        units=[inspectors.town])
    with pytest.raises(services.SubmissionRefused) as refused:
        services.proposal_submit(proposal=second, by=inspectors.clerk)
    assert refused.value.code == "comprehensive_limit"


@pytest.mark.django_db
def test_the_comprehensive_limit_counts_in_the_shanghai_year(inspectors):
    """07:00 on 1 January in Shanghai is still 31 December in UTC: the item is next year's."""
    approve(inspectors, inspection(inspectors, comprehensive=True, units=[inspectors.town]))
    make_quota(inspectors.dept, year=2028, kind=Kind.INSPECTION, cap=3)
    new_year = inspection(inspectors, comprehensive=True, units=[inspectors.town],
                          start=dt.datetime(2028, 1, 1, 7, tzinfo=SHANGHAI))
    assert services.proposal_submit(proposal=new_year, by=inspectors.clerk).state == State.HEAD_REVIEW


@pytest.mark.django_db
def test_a_unit_is_not_visited_twice_on_one_day_by_any_departments(inspectors):
    people = inspectors
    approve(people, inspection(people))
    theirs = inspection(people, by=people.outsider, title="农业执法检查")
    with pytest.raises(services.SubmissionRefused) as refused:
        services.proposal_submit(proposal=theirs, by=people.outsider)
    assert refused.value.code == "too_many_visits" and "东河镇柳村当日已有 1 次" in str(refused.value)
    # Another day is fine; the week allows two.
    other_day = inspection(people, by=people.outsider, start=DAY + dt.timedelta(days=1))
    assert services.proposal_submit(proposal=other_day, by=people.outsider).state == State.HEAD_REVIEW


@pytest.mark.django_db
def test_the_approval_counts_the_visits_again(inspectors):
    """Both pass submission (nothing approved yet); the second approval is refused."""
    people = inspectors
    ours, theirs = inspection(people), inspection(people, by=people.outsider, title="农业执法检查")
    services.proposal_submit(proposal=ours, by=people.clerk)
    services.proposal_submit(proposal=theirs, by=people.outsider)
    approve_rest = [(ours, people.head), (theirs, people.other_head)]
    for p, head in approve_rest:
        services.proposal_decide(proposal=p, by=head, decision="approve")
    services.proposal_decide(proposal=ours, by=people.reviewer, decision="approve")
    with pytest.raises(services.InvalidTransition) as refused:
        services.proposal_decide(proposal=theirs, by=people.reviewer, decision="approve")
    assert refused.value.code == "too_many_visits"
    assert reload(theirs).state == State.OFFICE_REVIEW


@pytest.mark.django_db
def test_the_reviewer_is_offered_a_merge_with_the_same_kind_on_the_same_units(inspectors, client):
    people = inspectors
    ours = inspection(people, start=DAY, days=3)
    theirs = inspection(people, by=people.outsider, title="农业安全检查", start=DAY + dt.timedelta(days=1))
    services.proposal_submit(proposal=theirs, by=people.outsider)
    services.proposal_submit(proposal=ours, by=people.clerk)
    services.proposal_decide(proposal=ours, by=people.head, decision="approve")
    client.force_login(people.reviewer)
    page = client.get(f"/proposals/{ours.pk}/").content.decode()
    assert "建议合并检查" in page and f"#{theirs.pk} 农业安全检查" in page


@pytest.mark.django_db
def test_the_web_form_and_page_show_an_inspection(inspectors, client):
    people = inspectors
    client.force_login(people.clerk)
    form = client.get("/proposals/new/inspection/")
    assert form.status_code == 200 and "新建督查检查考核申请" in form.content.decode()
    response = client.post("/proposals/new/inspection/", {
        "title": "防汛检查", "necessity": "汛期前排查。", "start": "2027-06-01T09:00", "end": "2027-06-01T17:00",
        "inspection_type": "check", "inspection_mode": "open", "units": [people.village.pk],
        "criteria": ["results"], "days_on_site": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    p = Proposal.objects.get(title="防汛检查")
    page = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "东河镇柳村" in page and "检查" in page and "工作实效" in page


@pytest.mark.django_db
def test_an_inspection_is_completed_with_its_findings_once_it_has_ended(inspectors):
    people = inspectors
    past = dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    make_quota(people.dept, year=2026, kind=Kind.INSPECTION, cap=3)
    p = approve(people, inspection(people, start=past))
    with pytest.raises(services.SubmissionRefused):
        services.proposal_complete(proposal=p, by=people.clerk, findings="")
    p = services.proposal_complete(proposal=p, by=people.clerk, findings="两处消防通道堵塞，已当场整改。")
    assert p.state == State.COMPLETED and p.findings.startswith("两处")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_approvals_racing_for_the_last_visit_to_a_unit_let_one_through():
    people = _setup(People(), cap=20)  # room enough that nothing escalates to the leader
    clerks = [(people.clerk, people.head), (people.outsider, people.other_head)]
    items = []
    for n in range(6):
        clerk, head = clerks[n % 2]
        p = inspection(people, by=clerk, title=f"并发检查 {n}")
        services.proposal_submit(proposal=p, by=clerk)
        services.proposal_decide(proposal=p, by=head, decision="approve")
        items.append(p)

    def work(i):
        try:
            services.proposal_decide(proposal=items[i], by=people.reviewer, decision="approve")
            return "ok"
        except services.ProposalError as error:
            return error.code
        except Exception as error:  # a lock timeout would show here
            return repr(error)

    results = run_in_threads(len(items), work)
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"too_many_visits", "busy"}, results
    assert Proposal.objects.filter(kind="inspection", state=State.APPROVED).count() == 1
