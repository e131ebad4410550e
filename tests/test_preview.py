"""提交预检 (issue 14, item 1): the preview is computed by the function that refuses
a submission, so it says beforehand exactly what submitting will say — and
writes nothing."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from approvals import services
from approvals.assessment import next_free_day
from approvals.models import SHANGHAI, Proposal
from approvals.preview import proposal_preview
from quotas.models import Department, LedgerEntry, MeetingFreeRule, Quota
from quotas.services import quota_reserve
from tests.api import client_for, document_body, meeting_body
from tests.factory import make_department, make_quota, reload

pytestmark = pytest.mark.django_db


def _counters():
    return list(Quota.objects.order_by("pk").values_list("reserved", "committed", "overridden", "flagged"))


def _writes():
    return (_counters(), LedgerEntry.objects.count(), Proposal.objects.count())


def test_it_previews_a_create_body_without_writing_anything(people):
    before = _writes()
    response = client_for(people.clerk).post("/api/v1/proposals/preview/", meeting_body(), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"quota", "escalation_reasons", "problems", "estimated_cost", "next_free_day"}
    assert body["quota"] == {"department": "JH-EDU", "year": 2027, "kind": "meeting", "cap": 5,
                             "used_after": 1, "state_after": "normal"}
    assert body["problems"] == [] and body["next_free_day"] is None
    # 35 attendees × 1 day × 550 (class 3) + 35 × 2 h × 50 = 19,250 + 3,500
    assert body["estimated_cost"]["amount"] == "22750.00"
    assert "35 人 × 1 天 × 550 元" in body["estimated_cost"]["formula"]
    assert _writes() == before


def test_a_meeting_free_day_is_a_problem_with_the_next_free_day(people):
    # 2027-09-15 is a Wednesday (每周三无会日); Thursday the 16th is free.
    response = client_for(people.clerk).post(
        "/api/v1/proposals/preview/", meeting_body(day="2027-09-15", attendees_village=60), format="json")
    body = response.json()
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("start", "meeting_free_day")]
    assert body["next_free_day"] == "2027-09-16"
    assert body["escalation_reasons"] == ["乡镇及以下参会 65 人，超过 50 人"]


def test_the_next_free_day_skips_weekends_holidays_and_meeting_free_weeks(people):
    from quotas.models import Holiday

    # Tuesday 2027-09-28; Wed 29 is 无会日; 30 Thursday is a holiday; Fri 1 Oct is in
    # the first week (无会周, 1st–7th), as is the whole week after: next is Fri 8 Oct.
    Holiday.objects.create(date=dt.date(2027, 9, 30), name="测试假日")
    assert next_free_day(dt.date(2027, 9, 28)) == dt.date(2027, 10, 8)
    # A two-day meeting may not touch Wednesday either.
    assert next_free_day(dt.date(2027, 9, 13), days=2) == dt.date(2027, 9, 16)


def test_the_search_for_a_free_day_is_bounded(people):
    MeetingFreeRule.objects.create(name="全年无会", rule_type="date_range",
                                   start_date=dt.date(2027, 1, 1), end_date=dt.date(2029, 12, 31))
    assert next_free_day(dt.date(2027, 3, 1)) is None


def test_a_tripped_quota_is_a_problem_unless_it_is_a_justified_emergency(people):
    for _ in range(5):
        people.submitted(people.document())
    draft = people.document()
    api = client_for(people.clerk)
    body = api.post(f"/api/v1/proposals/{draft.pk}/preview/", {}, format="json").json()
    assert [p["code"] for p in body["problems"]] == ["quota_exhausted"]
    assert body["quota"]["used_after"] == 5 and body["quota"]["state_after"] == "tripped"
    body = api.post(f"/api/v1/proposals/{draft.pk}/preview/", {"emergency": True}, format="json").json()
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("justification", "required")]
    body = api.post(f"/api/v1/proposals/{draft.pk}/preview/",
                    {"emergency": True, "justification": "汛情"}, format="json").json()
    assert body["problems"] == []
    assert body["escalation_reasons"][0].startswith("特事特办申请")


def test_a_full_city_wide_cap_is_named_in_the_preview(people):
    _city_cap(people, "document", room=0)
    draft = people.document()
    body = client_for(people.clerk).post(f"/api/v1/proposals/{draft.pk}/preview/", {}, format="json").json()
    [problem] = body["problems"]
    assert problem["code"] == "quota_exhausted" and problem["message"].startswith("江海市 2027 年度发文总量已熔断")
    with pytest.raises(services.QuotaRefused) as refused:
        people.submitted(draft)
    assert [p.message for p in refused.value.problems] == [problem["message"]]


def test_the_stored_draft_preview_applies_the_bodys_changes_in_memory(people):
    draft = people.document()
    api = client_for(people.clerk)
    body = api.post(f"/api/v1/proposals/{draft.pk}/preview/", {"length_chars": 9000}, format="json").json()
    assert [p["code"] for p in body["problems"]] == ["document_too_long"]
    assert reload(draft).length_chars == 1800


def test_missing_fields_are_problems_not_a_400(people):
    response = client_for(people.clerk).post("/api/v1/proposals/preview/", {"kind": "document"}, format="json")
    assert response.status_code == 200
    fields = {p["field"] for p in response.json()["problems"]}
    assert {"title", "necessity", "planned_date", "doc_type"} <= fields
    assert response.json()["quota"] is None


def test_a_joint_document_preview_counts_the_co_issuers_sent(people):
    body = document_body(is_joint=True, co_departments=["JH-AGRI"])
    response = client_for(people.clerk).post("/api/v1/proposals/preview/", body, format="json")
    assert response.json()["problems"] == []
    body = document_body(is_joint=True)
    response = client_for(people.clerk).post("/api/v1/proposals/preview/", body, format="json")
    assert [p["code"] for p in response.json()["problems"]] == ["required"]


def test_an_inspection_preview_counts_the_units_sent(people):
    """As for co-issuers: the units in the body are the ones checked, and only
    grassroots units may be named — the preview refuses what creating would."""
    from quotas.models import Kind, Level

    town = make_department("JH-TOWN-P", name="东河镇", level=Level.TOWNSHIP, issues=False)
    make_quota(people.dept, year=2027, kind=Kind.INSPECTION, cap=3)
    body = {"kind": "inspection", "title": "全市校园安全专项检查", "necessity": "开学季安全隐患排查。",
            "target_levels": ["township"], "start": "2027-09-14T09:00:00+08:00", "end": "2027-09-14T15:00:00+08:00",
            "inspection_type": "check", "mode": "unannounced", "days_on_site": 1, "criteria": ["results"]}
    client = client_for(people.clerk)
    with_units = client.post("/api/v1/proposals/preview/", {**body, "units": [town.code]}, format="json")
    assert with_units.status_code == 200 and with_units.json()["problems"] == []
    without = client.post("/api/v1/proposals/preview/", body, format="json")
    assert [(p["field"], p["code"]) for p in without.json()["problems"]] == [("units", "required")]


def test_only_those_who_may_submit_may_preview(people):
    draft = people.document()
    assert client_for(people.head).post(f"/api/v1/proposals/{draft.pk}/preview/", {}, format="json").status_code == 403
    assert client_for(people.outsider).post(f"/api/v1/proposals/{draft.pk}/preview/", {},
                                            format="json").status_code == 404
    assert client_for(people.reviewer).post("/api/v1/proposals/preview/", document_body(),
                                            format="json").status_code == 403
    assert client_for().post("/api/v1/proposals/preview/", document_body(), format="json").status_code == 401
    assert client_for(people.clerk).post("/api/v1/proposals/preview/", {"title": "x"},
                                         format="json").status_code == 400
    people.submitted(draft)
    assert client_for(people.clerk).post(f"/api/v1/proposals/{draft.pk}/preview/", {},
                                         format="json").status_code == 409


def test_a_returned_item_keeps_its_slot_in_the_preview(people):
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩")
    body = client_for(people.clerk).post(f"/api/v1/proposals/{p.pk}/preview/", {}, format="json").json()
    assert body["quota"]["used_after"] == 1 and body["problems"] == []


# --- the property: preview == submission ------------------------------------------

DAYS = [dt.date(2027, 9, d) for d in (3, 6, 14, 15, 16, 29)]  # first week, Mondays, Wednesdays, …


MISSING = {"title": "", "target_levels": [], "planned_date": None, "doc_type": "", "length_chars": None,
           "meeting_format": "", "meeting_class": None, "venue": ""}


@st.composite
def drafts(draw):
    """Mostly complete drafts of either kind (so that the rules, the quota and the
    escalations are reached), sometimes with one required field left empty."""
    kind = draw(st.sampled_from(["document", "meeting"]))
    if kind == "document":
        fields = dict(
            planned_date=draw(st.sampled_from(DAYS + [dt.date(2028, 1, 5)])),
            doc_type=draw(st.sampled_from(["notice", "opinion"])),
            doc_category=draw(st.sampled_from(["general", "specific", "comprehensive"])),
            length_chars=draw(st.integers(1, 7000)),
            forms_required=draw(st.integers(0, 3)),
            one_vote_veto=draw(st.booleans()),
        )
    else:
        day = draw(st.sampled_from(DAYS))
        start = dt.datetime.combine(day, dt.time(draw(st.integers(8, 15))), tzinfo=SHANGHAI)
        minutes = draw(st.one_of(st.integers(30, 300), st.integers(30, 60 * 30)))
        fields = dict(
            start=start, end=start + dt.timedelta(minutes=minutes),
            meeting_format=draw(st.sampled_from(["onsite", "video", "hybrid"])),
            meeting_class=draw(st.integers(1, 4)),
            group_discussion=draw(st.booleans()),
            main_speech_minutes=draw(st.one_of(st.none(), st.integers(0, 90))),
            attendees_city=draw(st.integers(0, 200)), attendees_township=draw(st.integers(1, 150)),
            venue="市政府第三会议室", principals_required=draw(st.booleans()),
        )
    fields.update(title="关于秋季工作的通知", necessity="须统一部署。", target_levels=["township"])
    dropped = draw(st.sampled_from([None, None, None, None, *sorted(set(MISSING) & set(fields))]))
    if dropped:
        fields[dropped] = MISSING[dropped]
    emergency = draw(st.booleans())
    justification = draw(st.sampled_from(["汛情紧急", "汛情紧急", ""])) if emergency else ""
    parent_room = draw(st.sampled_from([None, None, 0, 1]))  # free slots in a city-wide cap, if any
    return kind, fields, draw(st.integers(0, 5)), parent_room, emergency, justification


def _city_cap(people, kind, *, room):
    """Put the department under a city whose cap of `kind` has `room` slots left."""
    city = make_department(name="江海市")
    Department.objects.filter(pk=people.dept.pk).update(parent=city)
    people.clerk.department.refresh_from_db()
    city_quota = make_quota(city, year=2027, kind=kind, cap=3)
    for _ in range(3 - room):
        quota_reserve(quota=city_quota, source=None, by=None)


def _triples(problems):
    return [(p.field, p.code, str(p.message)) for p in problems]


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=drafts())
def test_the_preview_says_exactly_what_submission_does(people, case):
    kind, fields, used, parent_room, emergency, justification = case
    title = fields.pop("title")
    with transaction.atomic():
        quota = people.quota if kind == "document" else people.meeting_quota
        for _ in range(used):
            quota_reserve(quota=quota, source=None, by=None)
        if parent_room is not None:
            _city_cap(people, kind, room=parent_room)
        draft = services.proposal_create(by=people.clerk, kind=kind, title=title or "草稿", **fields)
        if not title:
            Proposal.objects.filter(pk=draft.pk).update(title="")
            draft = reload(draft)
        seen = proposal_preview(by=people.clerk, proposal=draft, emergency=emergency, justification=justification)
        unsaved = proposal_preview(by=people.clerk, kind=kind, title=title, emergency=emergency,
                                   justification=justification, **fields)
        assert _triples(unsaved.problems) == _triples(seen.problems)
        try:
            submitted = services.proposal_submit(proposal=draft, by=people.clerk, emergency=emergency,
                                                 justification=justification)
        except services.ProposalError as refused:
            event(f"refused: {refused.code} {refused.problems[0].field}")
            assert _triples(refused.problems) == _triples(seen.problems)
        else:
            event("submitted")
            assert seen.problems == []
            after = Quota.objects.get(pk=seen.quota.pk)
            assert (after.used, after.breaker_state) == (seen.quota_after.used, seen.quota_after.breaker_state)
            assert reload(submitted).escalations == seen.escalations
            if seen.cost:
                assert reload(submitted).estimated_cost == seen.cost.amount
        transaction.set_rollback(True)
