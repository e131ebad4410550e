"""A monthly city-wide cap on on-site inspections (issue 16, part 3): the city caps
how many inspections reach grassroots units each month, beside its annual cap.
A month's slot is reserved with the annual ones or the submission is refused;
only 特事特办 emergencies in 安全生产 and 自然灾害 pass a full month (overridden);
every counter change has its ledger entry; exactly K slots go to departments
racing for the month."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import F

from approvals import integrity, services
from approvals.models import SHANGHAI, Hold, State
from quotas.models import Kind, LedgerAction, LedgerEntry, Level, MonthlyQuota
from quotas.services import QuotaError, month_set_cap
from tests.api import client_for
from tests.concurrency import run_in_threads
from tests.factory import People, make_department, make_quota, reload
from tests.test_parent_quota import _city as city_of_three

pytestmark = pytest.mark.django_db

SEPT = dt.datetime(2027, 9, 14, 9, tzinfo=SHANGHAI)
OCT = dt.datetime(2027, 10, 12, 9, tzinfo=SHANGHAI)
JUSTIFIED = dict(emergency=True, justification="尾矿库出现险情，须立即现场督查。")


def _city(people, *, monthly_cap=2, city_cap=20, own_cap=10):
    """Three departments under the city (tests.test_parent_quota), each with an
    inspection quota; the city's inspection quota has `monthly_cap` in every month."""
    people = city_of_three(people)
    people.town = make_department("JH-TOWN-1", name="东河镇", level=Level.TOWNSHIP, issues=False)
    people.villages = [make_department(f"JH-VIL-{n}", name=f"东河镇{n}村", level=Level.VILLAGE, issues=False,
                                       parent=people.town) for n in range(1, 7)]
    people.city_quota = make_quota(people.city, year=2027, kind=Kind.INSPECTION, cap=city_cap)
    people.own_quota = make_quota(people.dept, year=2027, kind=Kind.INSPECTION, cap=own_cap)
    people.other_quota = make_quota(people.other, year=2027, kind=Kind.INSPECTION, cap=own_cap)
    people.health_quota = make_quota(people.health, year=2027, kind=Kind.INSPECTION, cap=own_cap)
    for month in range(1, 13):
        month_set_cap(quota=people.city_quota, month=month, cap=monthly_cap)
    return people


@pytest.fixture
def city(people):
    return _city(people)


def inspection(people, by=None, *, start=SEPT, hours=6, village=0, **fields):
    values = dict(title="全市安全生产专项检查", necessity="汛期前隐患排查，须现场查看。",
                  target_levels=["village"], start=start, end=start + dt.timedelta(hours=hours),
                  inspection_type="check", inspection_mode="unannounced", days_on_site=1, criteria=["results"])
    values.update(fields)
    return services.proposal_create(by=by or people.clerk, kind="inspection", units=[people.villages[village]],
                                    **values)


def month(people, n=9) -> MonthlyQuota:
    return MonthlyQuota.objects.get(quota=people.city_quota, month=n)


def counts(row):
    row = reload(row)
    return row.reserved, row.committed, row.overridden


def fill_september(people):
    """The city's two September slots, taken by two departments."""
    people.submitted(inspection(people))
    people.submitted_by(people.outsider, inspection(people, by=people.outsider, village=1))


def approve(people, p, head):
    """Through the head, the office and, if it is escalated (特事特办), the leader."""
    services.proposal_decide(proposal=p, by=head, decision="approve")
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    if p.state == State.LEADER_REVIEW:
        p = services.proposal_decide(proposal=p, by=people.leader, decision="approve")
    return p


def submit_api(user, p, **body):
    return client_for(user).post(f"/api/v1/proposals/{p.pk}/submit/", body, format="json")


# --- the month's slot beside the annual ones ------------------------------------------

def test_a_submission_reserves_a_slot_of_the_citys_month_with_its_ledger_entry(city):
    p = city.submitted(inspection(city))
    assert counts(month(city)) == (1, 0, 0)
    assert (counts(city.own_quota), counts(city.city_quota)) == ((1, 0, 0), (1, 0, 0))
    assert p.monthly_hold == Hold.RESERVED and list(p.monthly_quotas.all()) == [month(city)]
    entry = LedgerEntry.objects.get(proposal=p, month__isnull=False)
    assert (entry.action, entry.quota, entry.month.month, entry.reserved_after, entry.cap_after) == (
        LedgerAction.RESERVE, city.city_quota, 9, 1, 2)
    assert integrity.holding_problems() == []


def test_a_full_month_refuses_the_next_department_with_409_naming_the_city_quota_and_the_month(city):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    response = submit_api(city.health_clerk, theirs)
    body = response.json()
    assert response.status_code == 409 and body["code"] == "quota_exhausted"
    assert (body["quota"]["department"], body["quota"]["kind"], body["month"]) == ("JH", "inspection", 9)
    assert "江海市 2027 年 9 月督查检查考核月度总量已熔断" in body["detail"]
    assert "月度总量 2，审核中占用 2" in body["detail"]
    assert reload(theirs).state == State.DRAFT
    # Its own and the city's annual slots went back with the refusal; the attempt is recorded.
    assert (counts(city.health_quota), counts(city.city_quota)) == ((0, 0, 0), (2, 0, 0))
    blocked = LedgerEntry.objects.get(action=LedgerAction.BLOCKED)
    assert (blocked.quota, blocked.month, blocked.source) == (city.city_quota, month(city), theirs)


def test_another_month_still_has_its_slots(city):
    fill_september(city)
    p = city.submitted_by(city.health_clerk, inspection(city, by=city.health_clerk, start=OCT))
    assert counts(month(city, 10)) == (1, 0, 0) and counts(month(city, 9)) == (2, 0, 0)
    assert p.state == State.HEAD_REVIEW


def test_an_inspection_spanning_two_months_counts_in_its_start_month_only(city):
    start = dt.datetime(2027, 9, 30, 9, tzinfo=SHANGHAI)
    city.submitted(inspection(city, start=start, hours=30))
    assert counts(month(city, 9)) == (1, 0, 0) and counts(month(city, 10)) == (0, 0, 0)


def test_the_start_month_is_read_in_shanghai(city):
    start = dt.datetime(2027, 9, 30, 17, tzinfo=dt.timezone.utc)  # 1 October, 01:00 in Shanghai
    city.submitted(inspection(city, start=start))
    assert counts(month(city, 10)) == (1, 0, 0) and counts(month(city, 9)) == (0, 0, 0)


def test_a_month_without_a_cap_counts_nothing(city):
    make_quota(city.dept, year=2028, kind=Kind.INSPECTION, cap=5)
    month_set_cap(quota=make_quota(city.city, year=2028, kind=Kind.INSPECTION, cap=5), month=3, cap=1)
    p = city.submitted(inspection(city, start=SEPT.replace(year=2028, month=11)))
    assert p.monthly_hold == Hold.NONE and not LedgerEntry.objects.filter(month__isnull=False, proposal=p).exists()
    p = city.submitted(inspection(city, start=SEPT.replace(year=2028, month=3)))
    assert p.monthly_hold == Hold.RESERVED


def test_a_departments_own_quota_may_carry_a_monthly_cap_too(city):
    from approvals.selectors import slot_of

    month_set_cap(quota=city.own_quota, month=9, cap=1)
    city.submitted(inspection(city, start=OCT))
    p = city.submitted(inspection(city, village=1))
    assert {m.quota for m in p.monthly_quotas.all()} == {city.own_quota, city.city_quota}
    assert slot_of(p)["place"] == 2  # its place in the year (not the month's 1/1)
    with pytest.raises(services.QuotaRefused) as refused:
        city.submitted(inspection(city, village=2))
    assert (refused.value.quota, refused.value.month.month) == (city.own_quota, 9)
    assert counts(month(city)) == (1, 0, 0)  # the city's month gave its slot back with the refusal


def test_the_preview_names_the_full_month(city):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    body = client_for(city.health_clerk).post(f"/api/v1/proposals/{theirs.pk}/preview/", {}, format="json").json()
    assert [p["code"] for p in body["problems"]] == ["quota_exhausted"]
    assert "9 月督查检查考核月度总量已熔断" in body["problems"][0]["message"]


# --- 特事特办: 安全生产 and 自然灾害 pass a full month, the others do not ----------------

def test_a_work_safety_emergency_passes_the_full_month_and_is_overridden_once_approved(city):
    fill_september(city)
    p = city.submitted_by(city.health_clerk, inspection(city, by=city.health_clerk, village=2),
                          emergency_category="work_safety", **JUSTIFIED)
    assert (p.hold, p.monthly_hold) == (Hold.RESERVED, Hold.NONE)  # the annual slots are free: taken
    assert counts(month(city)) == (2, 0, 0)
    p = approve(city, p, city.health_head)
    assert p.state == State.APPROVED and p.monthly_hold == Hold.OVERRIDDEN
    assert counts(month(city)) == (2, 0, 1)  # beyond the cap, outside the CHECK
    assert (counts(city.health_quota), counts(city.city_quota)) == ((0, 1, 0), (2, 1, 0))
    override = LedgerEntry.objects.get(proposal=p, action=LedgerAction.OVERRIDE)
    assert (override.month, override.note) == (month(city), JUSTIFIED["justification"])
    assert integrity.holding_problems() == []


def test_a_natural_disaster_emergency_passes_through_the_api(city):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    response = client_for(city.health_clerk).post(f"/api/v1/proposals/{theirs.pk}/submit/?expand=detail", dict(
        emergency_category="natural_disaster", **JUSTIFIED), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["emergency_category"], response.json()["monthly_hold"]) == ("natural_disaster", "none")


@pytest.mark.parametrize("category, status", [("work_safety", 200), ("public_health", 409)])
def test_filing_and_submitting_in_one_request_takes_the_emergency_field(city, category, status):
    fill_september(city)
    body = {"kind": "inspection", "title": "尾矿库安全督查", "necessity": "险情须现场查看。",
            "start": "2027-09-20T09:00:00+08:00", "end": "2027-09-20T15:00:00+08:00", "units": ["JH-VIL-3"],
            "inspection_type": "check", "mode": "unannounced", "target_levels": ["village"],
            "emergency_category": category, **JUSTIFIED}
    response = client_for(city.health_clerk).post("/api/v1/proposals/?submit=1", body, format="json")
    assert response.status_code == status, response.json()
    assert counts(month(city)) == (2, 0, 0)


@pytest.mark.parametrize("category", ["public_health", "other", ""])
def test_any_other_emergency_is_refused_at_the_full_month(city, category):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    response = submit_api(city.health_clerk, theirs, emergency_category=category, **JUSTIFIED)
    assert response.status_code == 409 and response.json()["code"] == "quota_exhausted"
    assert response.json()["month"] == 9
    assert "只有安全生产、自然灾害领域的突发事件可按“特事特办”超额提交" in response.json()["detail"]
    assert reload(theirs).state == State.DRAFT and counts(month(city)) == (2, 0, 0)


def test_an_exempt_category_without_emergency_is_refused_like_a_normal_item(city):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    response = submit_api(city.health_clerk, theirs, emergency_category="work_safety")
    assert response.status_code == 409 and reload(theirs).emergency_category == ""


def test_an_emergency_past_the_annual_cap_still_takes_a_slot_of_a_free_month(city):
    """Annual 特事特办 (no annual slot) does not skip the monthly cap: a free month is reserved."""
    city.own_quota = make_quota(city.dept, year=2027, kind=Kind.INSPECTION, cap=0)
    p = city.submitted(inspection(city), emergency_category="public_health", **JUSTIFIED)
    assert (p.hold, p.monthly_hold) == (Hold.NONE, Hold.RESERVED)
    p = approve(city, p, city.head)
    assert (p.hold, p.monthly_hold) == (Hold.OVERRIDDEN, Hold.COMMITTED)
    assert counts(month(city)) == (0, 1, 0) and counts(city.city_quota) == (0, 0, 1)
    services.proposal_cancel(proposal=p, by=city.clerk, comment="险情已排除")
    assert counts(month(city)) == (0, 0, 0) and counts(city.city_quota) == (0, 0, 0)
    assert integrity.holding_problems() == []


# --- release paths ----------------------------------------------------------------------

def test_withdrawing_releases_the_month(city):
    p = city.submitted(inspection(city))
    p = services.proposal_withdraw(proposal=p, by=city.clerk)
    assert counts(month(city)) == (0, 0, 0) and p.monthly_hold == Hold.NONE
    assert not reload(p).monthly_quotas.exists()
    assert LedgerEntry.objects.get(proposal=p, month__isnull=False, action=LedgerAction.RELEASE).note == "撤回"


def test_rejecting_releases_the_month(city):
    p = city.submitted(inspection(city))
    services.proposal_decide(proposal=p, by=city.head, decision="approve")
    services.proposal_decide(proposal=p, by=city.reviewer, decision="reject", comment="与农业局检查重复")
    assert counts(month(city)) == (0, 0, 0) and counts(city.city_quota) == (0, 0, 0)


def test_approval_commits_the_month_and_cancelling_releases_it(city):
    p = approve(city, city.submitted(inspection(city)), city.head)
    assert counts(month(city)) == (0, 1, 0) and p.monthly_hold == Hold.COMMITTED
    services.proposal_cancel(proposal=p, by=city.clerk, comment="检查取消")
    assert counts(month(city)) == (0, 0, 0)
    assert integrity.holding_problems() == []


def test_cancelling_an_overridden_emergency_releases_its_overridden_month(city):
    fill_september(city)
    p = city.submitted_by(city.health_clerk, inspection(city, by=city.health_clerk, village=2),
                          emergency_category="work_safety", **JUSTIFIED)
    p = approve(city, p, city.health_head)
    services.proposal_cancel(proposal=p, by=city.health_clerk, comment="险情已排除")
    assert counts(month(city)) == (2, 0, 0)
    assert integrity.holding_problems() == []


def test_returned_for_revision_keeps_the_month_and_a_new_start_month_moves_it(city):
    p = city.submitted(inspection(city))
    services.proposal_decide(proposal=p, by=city.head, decision="return", comment="改到十月")
    assert counts(month(city)) == (1, 0, 0)  # return keeps the slot
    services.proposal_update(proposal=p, by=city.clerk, start=OCT, end=OCT + dt.timedelta(hours=6))
    city.submitted(p)
    assert counts(month(city, 9)) == (0, 0, 0) and counts(month(city, 10)) == (1, 0, 0)
    assert counts(city.city_quota) == (1, 0, 0)  # the annual slot stayed
    moved = LedgerEntry.objects.get(proposal=p, month=month(city, 9), action=LedgerAction.RELEASE)
    assert moved.note == "开始时间改到其他月份"
    assert integrity.holding_problems() == []


def test_moving_into_a_full_month_is_refused_and_keeps_the_old_slot(city):
    p = city.submitted(inspection(city, start=OCT))
    services.proposal_decide(proposal=p, by=city.head, decision="return", comment="改到九月")
    fill_september(city)
    services.proposal_update(proposal=p, by=city.clerk, start=SEPT, end=SEPT + dt.timedelta(hours=6), units=[
        city.villages[3]])
    with pytest.raises(services.QuotaRefused) as refused:
        city.submitted(p)
    assert refused.value.month == month(city, 9)
    assert counts(month(city, 10)) == (1, 0, 0) and counts(month(city, 9)) == (2, 0, 0)
    assert reload(p).state == State.RETURNED
    assert integrity.holding_problems() == []


# --- the database's own guard ----------------------------------------------------------

def test_the_database_refuses_a_month_over_its_cap(city):
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyQuota.objects.filter(pk=month(city).pk).update(reserved=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyQuota.objects.create(quota=city.city_quota, month=13, cap=1)


# --- management: caps, verification -------------------------------------------------

def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_set_quota_sets_every_month_or_one(city):
    out = run("set_quota", department="JH", year=2027, kind="inspection", monthly_cap=5)
    assert "JH 2027 inspection month 1: monthly cap 2 -> 5" in out and out.count("monthly cap") == 12
    out = run("set_quota", department="JH", year=2027, kind="inspection", monthly_cap=3, month=9)
    assert out == "JH 2027 inspection month 9: monthly cap 5 -> 3\n"
    assert MonthlyQuota.objects.get(quota=city.city_quota, month=9).cap == 3
    entry = LedgerEntry.objects.filter(month=month(city), action=LedgerAction.CAP).last()
    assert entry.note == "9 月月度总量 5 → 3"


def test_set_quota_creates_the_year_with_its_months(city):
    run("set_quota", department="JH", year=2028, kind="inspection", cap=30, monthly_cap=4)
    assert list(MonthlyQuota.objects.filter(quota__year=2028).values_list("month", "cap")) == [
        (m, 4) for m in range(1, 13)]


def test_set_quota_refuses_a_monthly_cap_below_the_months_use_and_changes_nothing(city):
    fill_september(city)
    with pytest.raises(CommandError, match="9 月督查检查考核月度总量不能设为 1：已占用 2、已批准 0，合计 2"):
        run("set_quota", department="JH", year=2027, kind="inspection", cap=30, monthly_cap=1)
    assert reload(city.city_quota).cap == 20 and month(city, 1).cap == 2  # all or nothing


def test_set_quota_refuses_monthly_caps_on_other_kinds_and_a_month_alone(city):
    make_quota(city.city, year=2027, kind=Kind.DOCUMENT, cap=10)
    with pytest.raises(CommandError, match="只有督查检查考核可以设置月度总量"):
        run("set_quota", department="JH", year=2027, kind="document", monthly_cap=2)
    with pytest.raises(CommandError, match="--month needs --monthly-cap"):
        run("set_quota", department="JH", year=2027, kind="inspection", cap=3, month=2)
    with pytest.raises(QuotaError):
        month_set_cap(quota=city.city_quota, month=0, cap=1)


def test_the_quota_api_shows_each_months_use(city):
    city.submitted(inspection(city))
    rows = client_for(city.clerk).get("/api/v1/quotas/", {"department": "JH"}).json()["results"]
    row = next(r for r in rows if r["kind"] == "inspection")
    assert len(row["monthly"]) == 12 and next(r for r in rows if r["kind"] == "document")["monthly"] == []
    september = row["monthly"][8]
    assert september == {"month": 9, "cap": 2, "reserved": 1, "committed": 0, "overridden": 0,
                         "remaining": 1, "state": "normal"}


def test_the_dashboard_shows_the_citys_months(city, client):
    fill_september(city)
    client.force_login(city.clerk)
    page = client.get("/", {"year": 2027}).content.decode()
    assert "月度总量" in page and 'id="months-JH-inspection"' in page
    assert "2/2" in page


def test_the_page_offers_the_emergency_path_with_its_field_when_the_month_is_full(city, client):
    fill_september(city)
    theirs = inspection(city, by=city.health_clerk, village=2)
    client.force_login(city.health_clerk)
    page = client.get(f"/proposals/{theirs.pk}/").content.decode()
    assert 'name="emergency_category"' in page and "9 月督查检查考核月度总量已熔断" in page
    response = client.post(f"/proposals/{theirs.pk}/submit/", {
        "emergency": "on", "emergency_category": "work_safety", "justification": JUSTIFIED["justification"]})
    assert response.status_code == 302
    theirs = reload(theirs)
    assert (theirs.state, theirs.emergency_category) == (State.HEAD_REVIEW, "work_safety")
    page = client.get(f"/proposals/{theirs.pk}/").content.decode()
    assert "突发事件领域：安全生产" in page


def test_the_page_of_a_draft_with_room_in_its_month_offers_no_emergency_field(city, client):
    p = inspection(city)
    client.force_login(city.clerk)
    assert 'name="emergency_category"' not in client.get(f"/proposals/{p.pk}/").content.decode()
    city.submitted(p)
    assert "江海市 2027 督查检查考核 9月（占用）" in client.get(f"/proposals/{p.pk}/").content.decode()


@pytest.mark.ledger_drift_expected
def test_verify_ledger_and_verify_state_see_a_month_moved_behind_the_services_back(city):
    city.submitted(inspection(city))
    MonthlyQuota.objects.filter(pk=month(city).pk).update(reserved=F("reserved") + 1)
    with pytest.raises(SystemExit):
        run("verify_ledger")
    assert integrity.monthly_holding_problems() == [
        "COUNT JH 2027 inspection month 9 reserved: counter 2 != 1 proposals holding it"]


def test_verify_ledger_is_clean_with_months(city, capsys):
    approve(city, city.submitted(inspection(city)), city.head)
    assert run("verify_ledger").endswith("台账一致 (ledger OK)\n")


# --- exactly K under concurrency -------------------------------------------------------

@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_exactly_k_of_the_months_slots_go_to_three_departments_racing():
    people = _city(People(), monthly_cap=4, city_cap=50, own_cap=20)
    clerks = [people.clerk, people.outsider, people.health_clerk]
    drafts = [(clerks[i % 3], inspection(people, by=clerks[i % 3], village=i % 6, title=f"并发检查 {i}"))
              for i in range(18)]

    def work(i):
        clerk, draft = drafts[i]
        try:
            services.proposal_submit(proposal=draft, by=clerk)
            return "ok"
        except services.QuotaRefused as refused:
            return (refused.quota.department.code, refused.month.month)

    results = run_in_threads(len(drafts), work)
    assert results.count("ok") == 4, results
    assert set(results) - {"ok"} == {("JH", 9)}
    assert counts(month(people)) == (4, 0, 0)
    assert counts(people.city_quota) == (4, 0, 0)  # the refused ones' annual slots rolled back
    own = sum(reload(q).reserved for q in (people.own_quota, people.other_quota, people.health_quota))
    assert own == 4
    assert LedgerEntry.objects.filter(month=month(people), action=LedgerAction.BLOCKED).count() == 14
    assert integrity.holding_problems() == []


# --- the year-end report reads the annual counters, and names a month that blocked ------

def test_the_report_counts_the_annual_entries_once_and_names_the_month_that_blocked(city):
    from reports.figures import collect

    approve(city, city.submitted(inspection(city)), city.head)
    city.submitted_by(city.outsider, inspection(city, by=city.outsider, village=1))
    with pytest.raises(services.QuotaRefused):
        city.submitted_by(city.health_clerk, inspection(city, by=city.health_clerk, village=2))
    data = collect(year=2027)
    commits = next(row for row in data.ledger_totals if row["label"] == LedgerAction.COMMIT.label)
    assert (commits["n"], commits["committed"]) == (2, 2)  # own + city, not the month's third
    scope = next(s for s in data.departments if s.department.code == "JH")
    september = scope.months[Kind.INSPECTION][8]
    assert (september["cap"], september["reserved"], september["committed"]) == (20, 1, 1)
    assert [row.note for row in data.blocked_attempts] == ["9 月月度总量 2，已占用 2"]


def test_the_admin_shows_a_quotas_months_to_read_only(city, client, admin_user):
    client.force_login(admin_user)
    page = client.get(f"/admin/quotas/quota/{city.city_quota.pk}/change/").content.decode()
    assert "月度总量" in page and 'name="months-0-cap"' not in page  # read, not edited here
    assert client.get("/admin/quotas/ledgerentry/").status_code == 200
