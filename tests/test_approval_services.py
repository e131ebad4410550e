import datetime as dt

import pytest

from approvals import services
from approvals.models import Hold, ProposalEvent, State
from quotas.models import LedgerAction, LedgerEntry
from quotas.services import ledger_drift
from tests.clock import outcomes_due
from tests.factory import reload

pytestmark = pytest.mark.django_db


def test_it_walks_the_happy_path_and_commits_the_slot(people):
    p = people.document()
    assert p.state == State.DRAFT
    p = people.submitted(p)
    assert p.state == State.HEAD_REVIEW and p.hold == Hold.RESERVED
    assert reload(people.quota).reserved == 1
    p = services.proposal_decide(proposal=p, by=people.head, decision="approve", comment="同意")
    assert p.state == State.OFFICE_REVIEW
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    assert p.state == State.APPROVED and p.hold == Hold.COMMITTED
    q = reload(people.quota)
    assert (q.reserved, q.committed) == (0, 1)
    with outcomes_due():
        p = services.proposal_complete(proposal=p, by=people.clerk, doc_number="江教发〔2027〕12号",
                                       issued_on=dt.date(2027, 9, 15))
    assert p.state == State.COMPLETED and p.doc_number == "江教发〔2027〕12号"
    assert services.open_task(p) is None
    steps = list(p.events.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("create", "draft", "draft"), ("submit", "draft", "head_review"),
        ("approve", "head_review", "office_review"), ("approve", "office_review", "approved"),
        ("complete", "approved", "completed"),
    ]
    assert ledger_drift() == []


def test_the_flow_has_a_task_at_every_open_step(people):
    p = people.document()
    people.submitted(p)
    assert services.open_task(p).flow_task.name == "head_sign"
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert services.open_task(p).flow_task.name == "office_review"
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    assert services.open_task(p).flow_task.name == "revise"
    assert services.open_task(p).owner == people.clerk


def test_return_keeps_the_reservation_and_resubmission_does_not_take_another(people):
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="请压缩篇幅")
    p = reload(p)
    assert p.state == State.RETURNED and p.hold == Hold.RESERVED
    services.proposal_update(proposal=p, by=people.clerk, length_chars=1200)
    p = services.proposal_submit(proposal=p, by=people.clerk)
    assert p.state == State.HEAD_REVIEW
    assert reload(people.quota).reserved == 1
    assert LedgerEntry.objects.filter(quota=people.quota, action=LedgerAction.RESERVE).count() == 1


def test_moving_the_planned_date_to_another_year_moves_the_slot(people):
    from tests.factory import make_quota

    next_year = make_quota(people.dept, year=2028, cap=3)
    p = people.at_office(people.document())
    services.proposal_decide(proposal=p, by=people.reviewer, decision="return", comment="改期")
    services.proposal_update(proposal=p, by=people.clerk, planned_date=dt.date(2028, 1, 10))
    services.proposal_submit(proposal=p, by=people.clerk)
    assert reload(people.quota).reserved == 0
    assert reload(next_year).reserved == 1
    assert ledger_drift() == []


def test_reject_and_withdraw_release_the_slot(people):
    a = people.at_office(people.document())
    services.proposal_decide(proposal=a, by=people.reviewer, decision="reject", comment="可合并到已有文件")
    b = people.submitted(people.document())
    services.proposal_withdraw(proposal=b, by=people.clerk, comment="不再需要")
    assert reload(a).state == State.REJECTED and reload(b).state == State.WITHDRAWN
    assert reload(people.quota).reserved == 0
    assert services.open_task(a) is None and services.open_task(b) is None


def test_cancel_of_an_approved_item_releases_the_committed_slot(people):
    p = people.approved(people.document())
    services.proposal_cancel(proposal=p, by=people.clerk, comment="上级已统一发文")
    q = reload(people.quota)
    assert reload(p).state == State.CANCELLED and (q.reserved, q.committed) == (0, 0)


def test_the_year_is_the_planned_dates_year_in_shanghai(people):
    from tests.factory import make_quota

    make_quota(people.dept, year=2028, kind="meeting", cap=3)
    # 2027-12-31 17:30 UTC is already 2028-01-01 01:30 in Shanghai.
    start = dt.datetime(2027, 12, 31, 17, 30, tzinfo=dt.timezone.utc)
    p = people.meeting(start=start, end=start + dt.timedelta(hours=1))
    assert p.quota_year == 2028


def test_at_the_cap_submission_is_refused_blocked_is_recorded_and_nothing_else_changes(people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document(title="第六份文件")
    events_before = ProposalEvent.objects.count()
    with pytest.raises(services.QuotaRefused) as refused:
        people.submitted(p)
    assert refused.value.status == 409 and refused.value.code == "quota_exhausted"
    message = str(refused.value)
    assert "总量 5" in message and "审核中占用 5" in message and "已批准 0" in message
    assert reload(p).state == State.DRAFT and reload(p).hold == Hold.NONE
    assert ProposalEvent.objects.count() == events_before
    blocked = LedgerEntry.objects.filter(action=LedgerAction.BLOCKED)
    assert [(e.source, e.quota_id) for e in blocked] == [(p, people.quota.pk)]
    assert services.open_task(p) is None
    assert reload(people.quota).reserved == 5


def test_an_emergency_request_at_the_cap_goes_to_the_leader_and_counts_as_overridden(people):
    for _ in range(5):
        people.submitted(people.document())
    p = people.document(title="防汛紧急通知")
    with pytest.raises(services.SubmissionRefused):
        people.submitted(p, emergency=True, justification="  ")
    people.submitted(p, emergency=True, justification="汛期突发险情，须立即部署。")
    assert reload(p).hold == Hold.NONE
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    assert p.state == State.LEADER_REVIEW
    assert any("特事特办" in r for r in p.escalation_reasons)
    p = services.proposal_decide(proposal=p, by=people.leader, decision="approve")
    q = reload(people.quota)
    assert p.state == State.APPROVED and p.hold == Hold.OVERRIDDEN
    assert (q.reserved, q.committed, q.overridden) == (5, 0, 1)
    assert ledger_drift() == []


@pytest.mark.parametrize("fields, reason", [
    ({"one_vote_veto": True}, "一票否决"),
    ({"responsibility_pledge": True}, "责任状"),
    ({"forms_required": 2}, "填报表格"),
])
def test_high_impact_documents_are_escalated_automatically(people, fields, reason):
    p = people.at_office(people.document(**fields))
    assert any(reason in r for r in reload(p).escalation_reasons)
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    assert p.state == State.LEADER_REVIEW and p.hold == Hold.RESERVED
    p = services.proposal_decide(proposal=p, by=people.leader, decision="approve")
    assert p.state == State.APPROVED and reload(people.quota).committed == 1


def test_meetings_with_many_grassroots_attendees_or_principals_are_escalated(people, settings):
    settings.JIANFU = {**settings.JIANFU, "ESCALATE_GRASSROOTS_ATTENDEES": 30}
    big = people.at_office(people.meeting(attendees_township=25, attendees_village=10))
    assert any("乡镇及以下参会 35 人" in r for r in reload(big).escalation_reasons)
    chiefs = people.at_office(people.meeting(principals_required=True))
    assert any("主要负责同志" in r for r in reload(chiefs).escalation_reasons)


def test_a_warning_quota_escalates(people):
    for _ in range(3):
        people.submitted(people.document())
    p = people.at_office(people.document())  # 4 of 5 used: warning at 0.8
    assert any("预警" in r for r in reload(p).escalation_reasons)


def test_a_reviewer_may_escalate_by_hand(people):
    p = people.at_office(people.document())
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="escalate", comment="涉及面广")
    assert p.state == State.LEADER_REVIEW and "减负办审核人提级：涉及面广" in p.escalation_reasons
    p = services.proposal_decide(proposal=p, by=people.leader, decision="return", comment="请补充说明")
    assert p.state == State.RETURNED and p.hold == Hold.RESERVED


def test_the_leader_may_reject_and_the_slot_is_released(people):
    p = people.at_office(people.document(one_vote_veto=True))
    services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    services.proposal_decide(proposal=p, by=people.leader, decision="reject", comment="不得设置一票否决")
    assert reload(p).state == State.REJECTED and reload(people.quota).reserved == 0


# --- refusals ----------------------------------------------------------------------

def test_nobody_decides_a_proposal_they_drafted(people):
    from quotas.models import Role
    from django.contrib.auth.models import Group

    people.head.groups.add(Group.objects.get(name=Role.CLERK))
    p = people.document(by=people.head)
    services.proposal_submit(proposal=p, by=people.head)
    with pytest.raises(services.NotAllowed, match="自己起草"):
        services.proposal_decide(proposal=p, by=people.head, decision="approve")


def test_a_reviewer_never_decides_their_own_departments_proposal(people):
    from django.contrib.auth.models import Group
    from quotas.models import Role

    people.reviewer.department = people.dept
    people.reviewer.save()
    people.head.groups.add(Group.objects.get(name=Role.CLERK))
    p = people.at_office(people.document())
    with pytest.raises(services.NotAllowed, match="本部门"):
        services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")


def test_the_wrong_role_is_refused_at_every_step(people):
    p = people.submitted(people.document())
    for user in (people.clerk2, people.reviewer, people.leader, people.other_head, people.auditor):
        with pytest.raises(services.NotAllowed):
            services.proposal_decide(proposal=p, by=user, decision="approve")
    services.proposal_decide(proposal=p, by=people.head, decision="approve")
    for user in (people.head, people.leader, people.auditor):
        with pytest.raises(services.NotAllowed):
            services.proposal_decide(proposal=p, by=user, decision="approve")
    assert reload(p).state == State.OFFICE_REVIEW


def test_decisions_impossible_in_the_current_state_are_409(people):
    p = people.document()
    with pytest.raises(services.InvalidTransition) as e:
        services.proposal_decide(proposal=p, by=people.head, decision="approve")
    assert e.value.status == 409 and "草稿" in str(e.value)
    people.submitted(p)
    with pytest.raises(services.InvalidTransition):
        services.proposal_decide(proposal=p, by=people.head, decision="reject", comment="x")
    with pytest.raises(services.InvalidTransition):
        services.proposal_decide(proposal=p, by=people.head, decision="escalate")


def test_a_return_needs_a_comment(people):
    p = people.submitted(people.document())
    with pytest.raises(services.SubmissionRefused, match="意见"):
        services.proposal_decide(proposal=p, by=people.head, decision="return")


def test_other_departments_clerks_cannot_submit_edit_or_withdraw(people):
    p = people.document()
    with pytest.raises(services.NotAllowed):
        services.proposal_submit(proposal=p, by=people.outsider)
    with pytest.raises(services.NotAllowed):
        services.proposal_update(proposal=p, by=people.outsider, title="x")
    people.submitted(p)
    with pytest.raises(services.NotAllowed):
        services.proposal_withdraw(proposal=p, by=people.outsider)
    with pytest.raises(services.InvalidTransition):
        services.proposal_update(proposal=p, by=people.clerk, title="改标题")


def test_only_clerks_draft(people):
    with pytest.raises(services.NotAllowed):
        people.document(by=people.reviewer)


def test_a_meeting_on_a_meeting_free_day_is_refused_but_may_be_saved(people):
    p = people.meeting(day=dt.date(2027, 9, 15))  # a Wednesday
    assert p.state == State.DRAFT
    with pytest.raises(services.SubmissionRefused) as e:
        people.submitted(p)
    assert e.value.code == "meeting_free_day" and "无会日" in str(e.value)
    first_week = people.meeting(day=dt.date(2027, 10, 5))  # Tuesday, first week
    with pytest.raises(services.SubmissionRefused, match="每月第一周"):
        people.submitted(first_week)
    assert reload(people.meeting_quota).reserved == 0


def test_meeting_and_document_limits_are_checked_at_submission(people):
    start = dt.datetime(2027, 9, 14, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    long = people.meeting(start=start, end=start + dt.timedelta(hours=5))
    with pytest.raises(services.SubmissionRefused, match="不超过 0.5 天"):
        people.submitted(long)
    crowd = people.meeting(attendees_city=400)
    with pytest.raises(services.SubmissionRefused, match="人的上限"):
        people.submitted(crowd)
    wordy = people.document(length_chars=9000)
    with pytest.raises(services.SubmissionRefused, match="超过 5000 字"):
        people.submitted(wordy)
    bare = people.document(doc_type="", target_levels=[])
    with pytest.raises(services.SubmissionRefused) as e:
        people.submitted(bare)
    assert {pr.field for pr in e.value.problems} == {"doc_type", "target_levels"}


def test_meeting_cost_is_estimated_and_recorded(people):
    p = people.approved(people.meeting())
    # 35 attendees × 1 day × 550 (class 3) + 35 attendees × 2 hours × 50 (working time)
    assert str(reload(p).estimated_cost) == "22750.00"
    with outcomes_due():
        p = services.proposal_complete(proposal=p, by=people.clerk, actual_attendees=30)
    assert str(p.actual_cost) == "19500.00"


def test_completion_needs_its_data(people):
    p = people.approved(people.document())
    with outcomes_due(), pytest.raises(services.SubmissionRefused, match="文号"):
        services.proposal_complete(proposal=p, by=people.clerk, issued_on=dt.date(2027, 9, 1))
    assert reload(p).state == State.APPROVED


def test_an_overlong_comment_is_refused_by_the_service_itself(people):
    p = people.submitted(people.document())
    with pytest.raises(services.SubmissionRefused, match="5000"):
        services.proposal_decide(proposal=p, by=people.head, decision="approve", comment="长" * 5001)
    assert reload(p).state == State.HEAD_REVIEW
