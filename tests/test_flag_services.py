"""明减暗增线索: filing by grassroots reporters, triage by the review office, and
what a confirmed flag does to its issuer's quota (issue 15)."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from approvals import services as approvals
from approvals.errors import InvalidTransition, NotAllowed, QuotaRefused, SubmissionRefused
from grassroots import services
from grassroots.models import FlagState
from grassroots.selectors import flag_figures
from quotas.models import LedgerAction, LedgerEntry, Quota
from quotas.services import ledger_drift
from quotas.workdays import add_working_days
from tests.factory import People, make_department, make_user, reload
from tests.grassroots import Grassroots

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=3)


@pytest.fixture
def grassroots(people):
    return Grassroots(people)


# --- filing --------------------------------------------------------------------

def test_a_reporter_files_a_flag_that_waits_for_the_office(people, grassroots):
    flag = grassroots.flag(claimed_number="江减备〔2027〕9999号")
    assert (flag.state, flag.reporter, flag.unit, flag.issuer) == (
        FlagState.OPEN, grassroots.reporter, grassroots.township, people.dept)
    assert flag.due_on == add_working_days(timezone.localdate(), settings.JIANFU["FLAG_TRIAGE_DAYS"])
    assert not LedgerEntry.objects.filter(action=LedgerAction.FLAG).exists()


@pytest.mark.parametrize("who", ["clerk", "head", "reviewer", "auditor", "leader"])
def test_only_grassroots_reporters_may_file(people, grassroots, who):
    with pytest.raises(NotAllowed):
        grassroots.flag(by=getattr(people, who))


def test_a_reporter_of_a_city_department_may_not_file(people, grassroots):
    city_reporter = make_user(role="reporter", department=people.other)
    with pytest.raises(NotAllowed):
        grassroots.flag(by=city_reporter)


def test_a_flag_names_an_issuing_department(people, grassroots):
    with pytest.raises(SubmissionRefused):
        grassroots.flag(issuer=people.office)


def test_a_flag_cannot_be_received_in_the_future(people, grassroots):
    with pytest.raises(SubmissionRefused):
        grassroots.flag(received_on=dt.date.today() + dt.timedelta(days=2))


# --- triage ----------------------------------------------------------------------

def test_confirming_charges_the_issuers_quota_of_the_kind_and_year_received(people, grassroots):
    flag = grassroots.confirmed(kind="meeting", received_on=dt.date(people.year, 1, 1))  # first day
    quota = reload(people.meeting_quota)
    assert (flag.state, flag.quota, quota.flagged) == (FlagState.CONFIRMED, quota, 1)
    assert reload(people.quota).flagged == 0
    entry = LedgerEntry.objects.get(action=LedgerAction.FLAG)
    assert (entry.quota, entry.source, entry.actor) == (quota, flag, people.reviewer)
    assert "grassroots_town" not in entry.note and "柳溪" not in entry.note
    assert ledger_drift() == []


def test_a_confirmed_flag_trips_the_issuers_breaker_for_the_next_submission(people, grassroots):
    people.submitted(people.document())
    people.submitted(people.document())
    grassroots.confirmed()
    quota = reload(people.quota)
    assert (quota.used, quota.remaining, quota.breaker_state) == (3, 0, "tripped")
    with pytest.raises(QuotaRefused) as refused:
        people.submitted(people.document())
    assert refused.value.status == 409
    assert "明减暗增 1" in str(refused.value)
    assert LedgerEntry.objects.filter(action=LedgerAction.BLOCKED).count() == 1
    assert ledger_drift() == []


def test_flags_may_push_usage_past_the_cap_and_the_gate_still_holds(people, grassroots):
    for _ in range(3):
        people.submitted(people.document())
    grassroots.confirmed()
    grassroots.confirmed()
    quota = reload(people.quota)
    assert (quota.issued, quota.used, quota.over_cap) == (3, 5, 2)
    assert ledger_drift() == []


def test_deciding_twice_is_refused_and_charges_once(people, grassroots):
    flag = grassroots.confirmed()
    for decision in ("confirm", "dismiss", "match"):
        with pytest.raises(InvalidTransition) as refused:
            services.flag_triage(flag=flag, by=people.reviewer, decision=decision, comment="再议")
        assert refused.value.status == 409
    assert reload(people.quota).flagged == 1


def test_dismissing_needs_a_reason_the_reporter_sees(people, grassroots):
    flag = grassroots.flag()
    with pytest.raises(SubmissionRefused):
        services.flag_triage(flag=flag, by=people.reviewer, decision="dismiss", comment="  ")
    flag = services.flag_triage(flag=flag, by=people.reviewer, decision="dismiss",
                                comment="系本级工作群内部通知，未向基层布置任务。")
    assert (flag.state, flag.answer) == (FlagState.DISMISSED, "系本级工作群内部通知，未向基层布置任务。")
    assert reload(people.quota).flagged == 0


def test_matching_needs_a_registered_item_of_the_issuer(people, grassroots):
    flag = grassroots.flag()
    draft = people.document()
    with pytest.raises(SubmissionRefused):
        services.flag_triage(flag=flag, by=people.reviewer, decision="match")
    with pytest.raises(SubmissionRefused):
        services.flag_triage(flag=flag, by=people.reviewer, decision="match", proposal=draft)
    item = people.approved(people.document())
    flag = services.flag_triage(flag=flag, by=people.reviewer, decision="match", proposal=reload(item))
    assert (flag.state, flag.matched_proposal) == (FlagState.MATCHED, item)
    assert reload(people.quota).flagged == 0


def test_only_the_review_office_triages_and_never_its_own_department(people, grassroots):
    flag = grassroots.flag()
    for who in (people.clerk, people.head, people.auditor, people.leader, grassroots.reporter):
        with pytest.raises(NotAllowed):
            services.flag_triage(flag=flag, by=who, decision="confirm")
    office_flag = grassroots.flag(issuer=make_department("JH-PUB", name="市宣传部"))
    office_reviewer = make_user(role="reviewer", department=office_flag.issuer)
    with pytest.raises(NotAllowed):
        services.flag_triage(flag=office_flag, by=office_reviewer, decision="confirm")


def test_confirming_without_a_quota_for_that_year_is_refused_and_changes_nothing(people, grassroots):
    flag = grassroots.flag(received_on=dt.date(people.year - 1, 12, 31))
    with pytest.raises(InvalidTransition) as refused:
        services.flag_triage(flag=flag, by=people.reviewer, decision="confirm")
    assert refused.value.code == "quota_missing"
    assert reload(flag).state == FlagState.OPEN


# --- figures and next year's cap ---------------------------------------------------

def test_flag_figures_count_per_issuer_and_confirmed_by_channel(people, grassroots):
    grassroots.confirmed(channel="memo")
    grassroots.confirmed(channel="memo", by=grassroots.village_reporter)
    grassroots.confirmed(channel="phone")
    services.flag_triage(flag=grassroots.flag(), by=people.reviewer, decision="dismiss", comment="不属实")
    grassroots.flag(issuer=people.other)
    grassroots.flag(received_on=dt.date(people.year - 1, 6, 1))  # another year
    figures = flag_figures(people.year)
    mine = figures[people.dept.pk]
    assert (mine["filed"], mine["confirmed"], mine["dismissed"], mine["matched"], mine["open"]) == (4, 3, 1, 0, 0)
    assert mine["by_channel"]["memo"] == 2 and mine["by_channel"]["phone"] == 1
    assert mine["by_channel"]["chat_group"] == 0
    assert figures[people.other.pk]["filed"] == 1
    limited = flag_figures(people.year, departments=[people.other, people.office])
    assert set(limited) == {people.other.pk, people.office.pk}
    assert limited[people.office.pk]["filed"] == 0


def test_plan_quotas_counts_confirmed_flags_as_last_years_actual(people, grassroots):
    people.approved(people.document())
    people.approved(people.document())
    grassroots.confirmed()
    out = StringIO()
    call_command("plan_quotas", year=people.year + 1, reduction=0.0, stdout=out)
    next_year = Quota.objects.get(department=people.dept, year=people.year + 1, kind="document")
    assert next_year.cap == 3  # 2 approved + 1 confirmed flag
    assert "committed 2 + flagged 1" in out.getvalue()
