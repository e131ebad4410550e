"""The rule holes of issue 13: the last slot escalates, outcomes wait for the
item's date, the 2024 若干规定 limits, and meeting cost by format."""

import datetime as dt

import pytest

from approvals import selectors, services
from approvals.models import SHANGHAI, State
from tests.clock import outcomes_due
from tests.factory import reload

pytestmark = pytest.mark.django_db


def codes(p):
    return [reason["code"] for reason in reload(p).escalations]


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


# --- the last slot ---------------------------------------------------------------------

def test_the_item_that_takes_the_last_slot_escalates(people):
    """Regression: 4/5 (warning) went to the leader but 5/5 (tripped) did not,
    so the fullest quota got the lightest review."""
    for _ in range(3):
        people.submitted(people.document())
    fourth = people.at_office(people.document(title="第四份"))
    last = people.at_office(people.document(title="第五份"))
    assert codes(fourth) == ["quota_warning"]
    assert codes(last) == ["quota_tripped"]
    assert "用尽（5/5）" in reload(last).escalation_reasons[0]
    last = services.proposal_decide(proposal=last, by=people.reviewer, decision="approve")
    assert last.state == State.LEADER_REVIEW


def test_a_quota_far_from_full_does_not_escalate(people):
    assert codes(people.at_office(people.document())) == []


# --- outcomes after the item's date -----------------------------------------------------

def test_a_meeting_cannot_be_recorded_as_held_before_it_ends(people):
    """Regression: a meeting of 17 December was recorded as held on 1 December."""
    meeting = people.approved(people.meeting(day=dt.date(2027, 12, 14)))
    with outcomes_due(at(dt.date(2027, 12, 1), 10)):
        with pytest.raises(services.SubmissionRefused) as refused:
            services.proposal_complete(proposal=meeting, by=people.clerk, actual_attendees=30)
    assert refused.value.problems[0].code == "not_yet" and "结束后再登记" in str(refused.value)
    assert reload(meeting).state == State.APPROVED
    with outcomes_due(at(dt.date(2027, 12, 14), 11, 1)):  # the meeting ended at 11:00
        done = services.proposal_complete(proposal=meeting, by=people.clerk, actual_attendees=30)
    assert done.state == State.COMPLETED


def test_a_document_is_completed_only_once_its_date_has_come(people):
    document = people.approved(people.document(planned_date=dt.date(2027, 9, 15)))
    with outcomes_due(at(dt.date(2027, 9, 14), 18)):
        with pytest.raises(services.SubmissionRefused, match="尚未到"):
            services.proposal_complete(proposal=document, by=people.clerk, doc_number="江教发〔2027〕1号",
                                       issued_on=dt.date(2027, 9, 14))
    with outcomes_due(at(dt.date(2027, 9, 20), 9)):
        with pytest.raises(services.SubmissionRefused, match="不能晚于今天"):
            services.proposal_complete(proposal=document, by=people.clerk, doc_number="江教发〔2027〕1号",
                                       issued_on=dt.date(2027, 9, 21))
        done = services.proposal_complete(proposal=document, by=people.clerk, doc_number="江教发〔2027〕1号",
                                          issued_on=dt.date(2027, 9, 16))
    assert done.state == State.COMPLETED


def test_the_public_cost_page_shows_only_meetings_that_took_place(people, client):
    meeting = people.approved(people.meeting(title="全市秋收工作会"))
    with outcomes_due():
        services.proposal_complete(proposal=meeting, by=people.clerk, actual_attendees=30)
        assert list(selectors.completed_meetings()) == [reload(meeting)]
    # On the real clock (before 2027) the meeting has not ended: not shown as held.
    assert list(selectors.completed_meetings()) == []
    assert "全市秋收工作会" not in client.get("/public/meeting-costs/").content.decode()


# --- documents: the 2024 length limits ------------------------------------------------------

@pytest.mark.parametrize("category, longest", [("general", 5000), ("specific", 4000)])
def test_document_length_limits_follow_the_category(people, category, longest):
    ok = people.document(doc_category=category, length_chars=longest)
    people.submitted(ok)
    too_long = people.document(doc_category=category, length_chars=longest + 1)
    with pytest.raises(services.SubmissionRefused) as refused:
        people.submitted(too_long)
    assert refused.value.problems[0].code == "document_too_long"
    assert f"超过 {longest} 字" in str(refused.value)


def test_a_comprehensive_document_has_no_length_limit_but_escalates(people):
    p = people.at_office(people.document(doc_category="comprehensive", length_chars=12_000))
    assert codes(p) == ["comprehensive_document"]
    assert "综合性文件" in reload(p).escalation_reasons


def test_the_document_limits_are_settings(people, settings):
    settings.JIANFU = {**settings.JIANFU, "DOCUMENT_SPECIFIC_MAX_CHARS": 3000}
    with pytest.raises(services.SubmissionRefused, match="超过 3000 字"):
        people.submitted(people.document(doc_category="specific", length_chars=3500))


# --- meetings: 会期, speeches, 综合性工作会议 ---------------------------------------------------

def test_a_meeting_without_group_discussion_lasts_at_most_half_a_day(people):
    day = dt.date(2027, 9, 14)
    people.submitted(people.meeting(start=at(day, 8, 30), end=at(day, 12, 30)))  # 4 hours
    with pytest.raises(services.SubmissionRefused) as refused:
        people.submitted(people.meeting(start=at(day, 9), end=at(day, 17)))
    assert refused.value.problems[0].code == "meeting_too_long" and "0.5 天" in str(refused.value)


def test_a_meeting_with_group_discussion_lasts_at_most_a_day_and_a_half(people):
    first, second = dt.date(2027, 9, 16), dt.date(2027, 9, 17)  # Thursday, Friday
    people.submitted(people.meeting(group_discussion=True, start=at(first, 9), end=at(second, 12)))
    with pytest.raises(services.SubmissionRefused, match="不超过 1.5 天"):
        people.submitted(people.meeting(group_discussion=True, start=at(first, 9), end=at(second, 17)))


def test_the_main_report_and_speeches_last_at_most_an_hour(people):
    people.submitted(people.meeting(main_speech_minutes=60))
    with pytest.raises(services.SubmissionRefused) as refused:
        people.submitted(people.meeting(main_speech_minutes=61))
    assert refused.value.problems[0].field == "main_speech_minutes"


def test_a_department_holds_one_comprehensive_work_meeting_a_year(people):
    first = people.submitted(people.meeting(comprehensive_meeting=True, title="全市教育工作会议"))
    with pytest.raises(services.SubmissionRefused) as refused:
        people.submitted(people.meeting(comprehensive_meeting=True, title="又一个综合性会议"))
    assert refused.value.problems[0].code == "comprehensive_meeting_limit"
    # A withdrawn one does not count; another year is another year.
    services.proposal_withdraw(proposal=first, by=people.clerk)
    people.submitted(people.meeting(comprehensive_meeting=True, title="改期后的工作会议"))


# --- meeting cost by format -----------------------------------------------------------------

def test_a_video_meeting_is_costed_without_per_diem_and_by_the_hour(people):
    """Regression: a 2-hour video meeting was costed as a full on-site attendee-day."""
    p = people.submitted(people.meeting(meeting_format="video", venue="", attendees_city=60,
                                        attendees_county=30, attendees_township=0))
    p = reload(p)
    assert str(p.estimated_cost) == "9000.00"  # 90 people × 2 hours × ¥50
    assert p.cost_formula == "视频会议不计综合定额；90 人 × 2 小时 × 50 元（误工） = 9,000.00 元"


def test_an_onsite_meeting_adds_the_class_per_diem(people):
    p = reload(people.submitted(people.meeting()))  # 35 people, 2 hours, class 3
    assert str(p.estimated_cost) == "22750.00"  # 35 × 1 × 550 + 35 × 2 × 50
    assert p.cost_formula.startswith("35 人 × 1 天 × 550 元（三类会议综合定额） + 35 人 × 2 小时 × 50 元（误工）")


# --- 发文机关代字 -----------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.single_db("sqlite")  # the demo is what `make run` builds on SQLite
def test_the_demo_numbers_documents_with_the_issuers_abbreviation():
    """Regression: numbers printed as "江agri发〔2025〕70号" (the department code)."""
    from django.core.management import call_command

    from approvals.models import Proposal

    call_command("load_demo", verbosity=0)
    numbers = {p.department.code: p.doc_number for p in Proposal.objects.filter(
        kind="document", state="completed").select_related("department")}
    assert {code: number.split("发〔")[0] for code, number in numbers.items()} == {
        "JH-EDU": "江教", "JH-HEALTH": "江卫健", "JH-AGRI": "江农"}
