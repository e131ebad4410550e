"""Plan vs actual (计划执行) in the year-end report (issue 16): per department and
kind, the approved plan's items, the items approved, of which 计划外, and the
planned items not carried out — checked against the raw rows, counted here in
another way than the report's code, and printed in the PDF."""

import datetime as dt
import re

import pytest

from approvals import plans, services
from approvals.models import PlanItem, PlanWindow, Proposal, State
from quotas.models import Department, Kind
from reports import figures, render
from reports.summary import plan_summary, summary
from tests.factory import make_department, make_quota, make_user
from tests.test_report_content import pdf_text, section

YEAR = 2027
DONE = [State.APPROVED, State.COMPLETED]
pytestmark = [pytest.mark.django_db, pytest.mark.people(year=YEAR, cap=10)]


def decided(people, p, clerk, head):
    """Submitted and approved all the way (by the leader too when it escalates)."""
    services.proposal_submit(proposal=p, by=clerk)
    services.proposal_decide(proposal=p, by=head, decision="approve")
    p = services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")
    if p.state == State.LEADER_REVIEW:
        p = services.proposal_decide(proposal=p, by=people.leader, decision="approve")
    assert p.state == State.APPROVED
    return p


def approved_plan(clerk, reviewer, items):
    plan = plans.plan_save(by=clerk, year=YEAR, items=[{"kind": k, "month": m, "title": t} for k, m, t in items])
    plans.plan_submit(plan=plan, by=clerk, today=dt.date(YEAR - 1, 11, 15))
    return plans.plan_decide(plan=plan, by=reviewer, decision="approve")


@pytest.fixture
def planned_year(people):
    """EDU: a plan of 3 documents and 1 meeting; 2 planned documents and the meeting
    approved, 1 planned document still in review, 1 document outside the plan.
    AGRI: no plan, 2 documents approved (both 计划外). HEALTH: a plan of a document and
    an inspection, nothing done."""
    PlanWindow.objects.create(year=YEAR, opens_on=dt.date(YEAR - 1, 11, 1), closes_on=dt.date(YEAR - 1, 12, 15))
    approved_plan(people.clerk, people.reviewer, [
        ("document", 3, "春季开学工作通知"), ("document", 9, "关于做好秋季学期安全工作的通知"),
        ("document", 11, "冬季校园防火工作通知"), ("meeting", 9, "全市秋季开学工作部署会")])
    health = make_department("JH-HEALTH", name="江海市卫生健康委员会")
    health_clerk = make_user(role="clerk", department=health)
    approved_plan(health_clerk, people.reviewer, [("document", 5, "爱国卫生月通知"), ("inspection", 6, "食品安全检查")])
    for kind in (Kind.DOCUMENT, Kind.MEETING):  # room for the items outside the plan
        make_quota(people.dept, year=YEAR, kind=kind, cap=10)

    decided(people, people.document(), people.clerk, people.head)  # September: the planned notice
    decided(people, people.document(planned_date=dt.date(YEAR, 3, 10), title="关于春季开学工作的通知"),
            people.clerk, people.head)
    people.submitted(people.document(planned_date=dt.date(YEAR, 11, 5), title="冬季防火通知"))  # in review
    extra = decided(people, people.document(title="关于开展读书月活动的通知"), people.clerk, people.head)
    assert extra.planned_item is None
    decided(people, people.meeting(), people.clerk, people.head)
    for i in range(2):
        decided(people, people.document(by=people.outsider, title=f"春耕备耕通知{i}",
                                        planned_date=dt.date(YEAR, 3, 1 + i)), people.outsider, people.other_head)
    return people


def independent(year: int, kinds) -> list[dict]:
    """From the raw rows: per department with a quota that year (by code) and kind."""
    rows = []
    for department in Department.objects.filter(quotas__year=year).distinct().order_by("code"):
        for kind in kinds:
            items = PlanItem.objects.filter(plan__department=department, plan__year=year,
                                            plan__state="approved", kind=kind)
            done = Proposal.objects.filter(quota__department=department, quota__year=year, kind=kind,
                                           state__in=DONE)
            rows.append({
                "code": department.code, "kind": kind,
                "has_plan": department.plans.filter(year=year, state="approved").exists(),
                "planned": items.count(), "actual": done.count(),
                "unplanned": done.filter(planned_item__isnull=True).count(),
                "not_carried_out": items.exclude(proposals__state__in=DONE).count(),
            })
    return rows


def test_plan_vs_actual_matches_the_raw_rows(planned_year, client):
    data = figures.collect(year=YEAR)
    got = {**summary(data), **plan_summary(data)}
    expected = independent(YEAR, ["document", "meeting", "inspection"])
    assert got["plans"] == expected
    client.force_login(planned_year.auditor)
    assert client.get(f"/api/v1/reports/{YEAR}/plans/").json() == {"year": YEAR, "plans": expected}
    # The summary keeps issue 13's shape: plan vs actual is its own answer.
    assert "plans" not in client.get(f"/api/v1/reports/{YEAR}/summary/").json()
    client.force_login(planned_year.clerk)
    assert client.get(f"/api/v1/reports/{YEAR}/plans/").status_code == 403
    by = {(r["code"], r["kind"]): r for r in got["plans"]}
    assert by["JH-EDU", "document"] == {"code": "JH-EDU", "kind": "document", "has_plan": True, "planned": 3,
                                        "actual": 3, "unplanned": 1, "not_carried_out": 1}
    assert by["JH-EDU", "meeting"] | {"code": None} == {"code": None, "kind": "meeting", "has_plan": True,
                                                        "planned": 1, "actual": 1, "unplanned": 0,
                                                        "not_carried_out": 0}
    assert by["JH-AGRI", "document"] == {"code": "JH-AGRI", "kind": "document", "has_plan": False, "planned": 0,
                                         "actual": 2, "unplanned": 2, "not_carried_out": 0}
    assert (by["JH-HEALTH", "inspection"]["planned"], by["JH-HEALTH", "inspection"]["not_carried_out"]) == (1, 1)
    # Plan vs actual is a fact, not a verdict: EDU passes with a 计划外 item.
    assert {r["code"]: r["passed"] for r in got["departments"] if r["kind"] == "document"}["JH-EDU"]


def test_a_year_without_planning_has_no_plan_table(people):
    decided(people, people.document(), people.clerk, people.head)
    data = figures.collect(year=YEAR)
    assert data.plans is None and plan_summary(data)["plans"] is None
    assert "未实行计划管理" in render.report_html(data, render.Meta())


def test_the_fingerprint_covers_what_the_plan_table_counts(planned_year):
    before = figures.collect(year=YEAR).fingerprint
    # Carrying out the remaining planned document moves the table, so the fingerprint.
    waiting = Proposal.objects.get(title="冬季防火通知")
    services.proposal_decide(proposal=waiting, by=planned_year.head, decision="approve")
    services.proposal_decide(proposal=waiting, by=planned_year.reviewer, decision="approve")
    assert figures.collect(year=YEAR).fingerprint != before


@pytest.mark.slow
def test_the_pdf_prints_the_plan_table_and_the_sentence(planned_year, tmp_path):
    made = render.generate(year=YEAR)
    (tmp_path / "report.pdf").write_bytes(made.pdf)
    text = pdf_text(made.pdf)
    table = section(text, "表3", "四、基层负担")
    rows = [re.sub(r"\s+", " ", line).strip() for line in table.splitlines() if line.strip()]
    assert any(re.fullmatch(r"江海市教育局 发文 3 2 1 3 1", r) for r in rows), rows
    assert any(re.fullmatch(r"会议 1 1 0 1 0", r) for r in rows), rows
    assert any(re.fullmatch(r"江海市农业农村局 发文 无经批准的计划 2 2", r) for r in rows), rows
    assert any(re.fullmatch(r"合计 发文 4 2 2 5 3", r) for r in rows), rows
    flat = re.sub(r"\s+", "", section(text, "一、总体情况", "二、各部门达标情况"))
    assert ("实行计划管理：2个部门的年度计划经减负办批准，计划事项6项，已执行3项、未执行3项；"
            "已批准事项6件，其中计划外（一事一议）3件；1个部门没有经批准的年度计划，其事项均为计划外。") in flat
