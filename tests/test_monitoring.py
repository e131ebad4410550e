"""监测点 (issue 17): the pre-filled monthly log — recomputed here independently
from the ledger and the items — its confirmation with additions that become
flags in one step, once a month, and the burden index."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals import services as approvals
from approvals.models import SHANGHAI, Proposal
from approvals.errors import InvalidTransition, NotAllowed, SubmissionRefused
from grassroots import monitoring, selectors
from grassroots.models import Flag, MonthlyLog, SurveyQuestion
from quotas.models import Kind, LedgerEntry
from tests.api import client_for
from tests.factory import People, make_quota
from tests.grassroots import Grassroots, last_month, meeting_days

pytestmark = pytest.mark.django_db
YEAR, MONTH = last_month()


@pytest.fixture
def people():
    people = People(year=YEAR, cap=8, meeting_cap=8)
    make_quota(people.dept, year=YEAR, kind=Kind.INSPECTION, cap=8)
    return people


@pytest.fixture
def month(people):
    """A month of items: some reach the village, some the township, some nobody."""
    g = Grassroots(people)
    first = dt.date(YEAR, MONTH, 1)
    day1, day2 = meeting_days(YEAR, MONTH)
    next_month = first + dt.timedelta(days=32)
    if next_month.year != YEAR:
        make_quota(people.dept, year=next_month.year, cap=3)

    def at(day, hour, minutes=0):
        return dt.datetime.combine(day, dt.time(hour, minutes), tzinfo=SHANGHAI)

    people.approved(people.document(title="面向乡镇", planned_date=day1, target_levels=["township"]))
    escalated = people.approved(people.document(title="面向村", planned_date=first,
                                                target_levels=["township", "village"], forms_required=3))
    # Forms demanded of grassroots units escalate: the leader approves it.
    assert escalated.state == "leader_review"
    approvals.proposal_decide(proposal=escalated, by=people.leader, decision="approve")
    people.submitted(people.document(title="仍在审核", planned_date=day1, target_levels=["village"]))
    people.approved(people.document(title="下月", planned_date=next_month.replace(day=2), target_levels=["village"]))
    people.approved(people.meeting(title="村干部会", day=day2, target_levels=["village"], attendees_village=20,
                                   start=at(day2, 9), end=at(day2, 11, 30)))
    people.approved(people.meeting(title="乡镇会", day=day1, target_levels=["township"]))
    inspection = dict(necessity="现场查看。", target_levels=["village"], inspection_type="check",
                      inspection_mode="open", criteria=["results"])
    for title, day, days, units in (("查村", day1, 2, [g.village]), ("查镇", day2, 1, [g.township])):
        p = approvals.proposal_create(by=people.clerk, kind="inspection", title=title, units=units,
                                      start=at(day, 9), end=at(day, 15) + dt.timedelta(days=days - 1),
                                      days_on_site=days, **inspection)
        people.approved(p)
    monitoring.point_designate(by=people.reviewer, unit=g.village)
    monitoring.point_designate(by=people.reviewer, unit=g.township)
    return g


def recomputed(unit) -> dict:
    """The log from first principles: every item the ledger committed, judged here in
    Python — the level in its target levels (documents, meetings) or the unit among
    those visited (inspections), its date in Asia/Shanghai in the month."""
    committed = LedgerEntry.objects.filter(action="commit", proposal__isnull=False).values_list("source_id", flat=True)
    expected = {"documents": 0, "meetings": 0, "meeting_hours": Decimal(0), "inspections": 0,
                "inspection_days": 0, "forms": 0}
    for p in Proposal.objects.filter(pk__in=list(committed)):
        if p.state not in ("approved", "completed"):
            continue
        day = p.planned_date if p.kind == "document" else p.start.astimezone(SHANGHAI).date()
        if (day.year, day.month) != (YEAR, MONTH):
            continue
        if p.kind == "inspection":
            if unit in p.units.all():
                expected["inspections"] += 1
                expected["inspection_days"] += p.days_on_site
        elif unit.level in p.target_levels:
            if p.kind == "document":
                expected["documents"] += 1
                expected["forms"] += p.forms_required
            else:
                expected["meetings"] += 1
                expected["meeting_hours"] += Decimal((p.end - p.start).seconds) / 3600
    expected["meeting_hours"] = str(expected["meeting_hours"].quantize(Decimal("0.1")))
    return expected


def test_the_prefilled_log_is_what_the_ledger_says_reached_the_unit(month):
    village, town = month.village, month.township
    assert monitoring.prefilled_log(village, YEAR, MONTH)["totals"] == recomputed(village) == {
        "documents": 1, "meetings": 1, "meeting_hours": "2.5", "inspections": 1, "inspection_days": 2, "forms": 3}
    assert monitoring.prefilled_log(town, YEAR, MONTH)["totals"] == recomputed(town)
    titles = [i["title"] for i in monitoring.prefilled_log(village, YEAR, MONTH)["documents"]]
    assert titles == ["面向村"]


def test_the_api_gives_the_log_to_its_reporter_and_the_office_only(people, month):
    url = f"/api/v1/monitoring/{month.village.code}/{YEAR}-{MONTH:02d}/"
    data = client_for(month.village_reporter).get(url).json()
    assert data["totals"] == recomputed(month.village) and data["confirmed"] is False
    assert [i["registry_number"] is not None for i in data["meetings"]] == [True]
    assert client_for(people.reviewer).get(url).status_code == 200
    for user in (month.reporter, people.head, people.clerk):  # another unit's reporter, the issuer
        assert client_for(user).get(url).status_code == 404
    assert client_for().get(url).status_code == 401
    assert client_for(people.reviewer).get(f"/api/v1/monitoring/JH-EDU/{YEAR}-{MONTH:02d}/").status_code == 404
    assert client_for(people.reviewer).get(f"/api/v1/monitoring/{month.village.code}/{YEAR}-13/").status_code == 404


def addition(**fields):
    values = {"issuer": "JH-AGRI", "channel": "chat_group", "kind": "document",
              "received_on": f"{YEAR}-{MONTH:02d}-05", "summary": "工作群要求报送秋收进度表，每周一次。", "forms_demanded": 2}
    values.update(fields)
    return values


def test_confirming_files_each_addition_as_a_flag_in_one_step(people, month):
    question = SurveyQuestion.objects.create(text="本月迎检材料明显减少", created_by=people.reviewer)
    url = f"/api/v1/monitoring/{month.village.code}/{YEAR}-{MONTH:02d}/"
    response = client_for(month.village_reporter).post(url, {
        "additions": [addition(), addition(issuer="JH-EDU", channel="phone", kind="meeting", summary="电话通知开会")],
        "survey": {str(question.pk): 2}, "note": "农忙"}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["confirmed"] and len(data["additions"]) == 2 and data["answers"] == {str(question.pk): 2}
    flags = Flag.objects.order_by("pk")
    assert [(f.issuer.code, f.state, f.unit, f.reporter) for f in flags] == [
        ("JH-AGRI", "open", month.village, month.village_reporter),
        ("JH-EDU", "open", month.village, month.village_reporter)]
    log = MonthlyLog.objects.get()
    assert log.registered["totals"] == recomputed(month.village)
    # Once a month.
    again = client_for(month.village_reporter).post(url, {"additions": [addition()]}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
    assert Flag.objects.count() == 2


def test_one_bad_addition_files_nothing(people, month):
    url = f"/api/v1/monitoring/{month.village.code}/{YEAR}-{MONTH:02d}/"
    outside = dt.date(YEAR, MONTH, 1) - dt.timedelta(days=1)
    response = client_for(month.village_reporter).post(url, {
        "additions": [addition(), addition(received_on=outside.isoformat())]}, format="json")
    assert response.status_code == 400
    assert "additions[1].received_on" in response.json()["errors"]
    response = client_for(month.village_reporter).post(url, {
        "additions": [addition(), addition(issuer="JH-OFFICE")]}, format="json")
    assert response.status_code == 400 and "additions[1].issuer" in response.json()["errors"]
    assert not Flag.objects.exists() and not MonthlyLog.objects.exists()


def test_only_the_units_reporter_confirms_and_not_before_the_month_ends(people, month):
    with pytest.raises(NotAllowed):
        monitoring.log_confirm(by=month.reporter, unit=month.village, year=YEAR, month=MONTH)
    with pytest.raises(NotAllowed):
        monitoring.log_confirm(by=people.reviewer, unit=month.village, year=YEAR, month=MONTH)
    today = timezone.localdate()
    with pytest.raises(SubmissionRefused) as refused:
        monitoring.log_confirm(by=month.village_reporter, unit=month.village,
                               year=(today + dt.timedelta(days=40)).year, month=(today + dt.timedelta(days=40)).month)
    assert refused.value.code == "month_not_over"
    monitoring.point_designate(by=people.reviewer, unit=month.village, active=False)
    with pytest.raises(NotAllowed):
        monitoring.log_confirm(by=month.village_reporter, unit=month.village, year=YEAR, month=MONTH)


def test_the_burden_index_compares_registered_with_reported(people, month):
    monitoring.log_confirm(by=month.village_reporter, unit=month.village, year=YEAR, month=MONTH,
                           additions=[{**addition(), "issuer": people.other,
                                       "received_on": dt.date(YEAR, MONTH, 5)}])
    figures = selectors.monitoring_figures(YEAR)
    village = next(u for u in figures["units"] if u["unit"] == month.village.code)
    town = next(u for u in figures["units"] if u["unit"] == month.township.code)
    assert village["months"][MONTH] == {"registered": 3, "reported": 4, "additions": 1, "confirmed": True,
                                        "index": 1.33}
    assert town["months"][MONTH]["confirmed"] is False and town["months"][MONTH]["reported"] is None
    assert town["months"][MONTH]["registered"] == 4  # two documents, a meeting, an inspection


def test_the_office_sets_points_and_questions(people, month):
    with pytest.raises(NotAllowed):
        monitoring.point_designate(by=people.head, unit=month.village)
    with pytest.raises(SubmissionRefused):
        monitoring.point_designate(by=people.reviewer, unit=people.dept)
    question = monitoring.question_set(by=people.reviewer, text="开会次数是否减少")
    monitoring.question_set(by=people.reviewer, question=question, active=False)
    with pytest.raises(SubmissionRefused):
        monitoring.log_confirm(by=month.village_reporter, unit=month.village, year=YEAR, month=MONTH,
                               answers={question.pk: 3})


def test_a_double_confirmation_is_refused_by_the_database_too(people, month):
    monitoring.log_confirm(by=month.village_reporter, unit=month.village, year=YEAR, month=MONTH)
    with pytest.raises(InvalidTransition):
        monitoring.log_confirm(by=month.village_reporter, unit=month.village, year=YEAR, month=MONTH)
