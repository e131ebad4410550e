"""年度计划 in Debian's chromium (issue 16): the education bureau's clerk opens next
year's plan from the navigation during the window, fills in items (adding a row,
a mistake shown on its row with everything typed kept), saves, sees the counts
and caps, and submits; the review office finds the plan first in its list,
is refused a return without a comment, and approves: the counts become next
year's caps. At 1366 px and on a 390 px phone, where nothing scrolls sideways.

Run alone, e.g. ``SCREENSHOT_DIR=test-artifacts pytest -m browser
tests/test_browser_plans.py``; screenshots go to $SCREENSHOT_DIR (default: the
test's tmp_path).
"""

import datetime as dt
import math
import re
import shutil

import pytest
from django.utils import timezone

from tests.test_browser import CHROMIUM, shots  # noqa: F401 (shots is a fixture)
from tests.test_browser_workbench import PHONE, Desk, _with_browser, workbench  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]

WIDE = {"viewport": {"width": 1366, "height": 900}}
PLAN = re.compile(r"/proposals/plans/(\d+)/$")
ROWS = [("3", "document", "关于做好春季学期开学工作的通知"),
        ("9", "meeting", "全市秋季开学工作部署会"),
        ("6", "inspection", "汛前校舍安全检查")]


def fill_row(page, index, month, kind, title):
    page.select_option(f"select[name=items-{index}-month]", month)
    page.select_option(f"select[name=items-{index}-kind]", kind)
    page.fill(f"input[name=items-{index}-title]", title)


@pytest.mark.parametrize("size", ["wide", "phone"])
@pytest.mark.django_db(transaction=True)
def test_a_clerk_files_next_years_plan_and_the_office_approves_it(workbench, size):
    from approvals.models import Plan, PlanState, PlanWindow
    from quotas.models import Quota

    playwright_sync, base, shoot = workbench
    today = timezone.localdate()
    year = today.year + 1
    # Open today, whatever day the suite runs (the demo's own window is 1 November – 15 December).
    PlanWindow.objects.update_or_create(year=year, defaults={
        "opens_on": today - dt.timedelta(days=5), "closes_on": today + dt.timedelta(days=5)})
    phone = size == "phone"

    def run(browser):
        desk = Desk(browser.new_page(locale="zh-CN", **(PHONE if phone else WIDE)), base, shoot, f"plan-{size}",
                    phone=phone)
        page = desk.page
        page.set_default_timeout(10_000)

        # --- clerk: from the navigation to next year's empty plan ------------------------
        desk.login("clerk_edu")
        with page.expect_navigation(url=re.compile(r"/proposals/plans/$")):
            page.locator("header nav").get_by_role("link", name="年度计划").click()
        assert f"{year} 年度计划填报期" in page.locator("#window").inner_text()
        desk.fits("the clerk's plans")
        with page.expect_navigation(url=re.compile(rf"/proposals/plans/file/{year}/$")):
            page.get_by_role("link", name=f"填报 {year} 年度计划").click()
        assert page.locator("#state").inner_text() == "未填报"
        for index, row in enumerate(ROWS):
            fill_row(page, index, *row)
        page.get_by_role("button", name="再加一行").click()
        # The fourth row is new; its title is typed but its kind forgotten.
        page.select_option("select[name=items-3-month]", "11")
        page.fill("input[name=items-3-title]", "年度工作总结会")
        desk.fits("the plan form")
        desk.snap("clerk-form")
        with page.expect_navigation():
            page.get_by_role("button", name="保存计划").click()
        assert not Plan.objects.exists()
        error = page.locator(".plan-row.has-errors")
        assert error.count() == 1 and "类别：该字段是必填项。" in error.inner_text()
        assert page.input_value("input[name=items-3-title]") == "年度工作总结会"
        assert page.input_value("input[name=items-0-title]") == ROWS[0][2]
        desk.fits("the plan form with an error")
        desk.snap("clerk-error")
        page.select_option("select[name=items-3-kind]", "meeting")
        with page.expect_navigation(url=PLAN):
            page.get_by_role("button", name="保存计划").click()
        assert "年度计划已保存，共 4 项。" in page.locator(".messages").inner_text()
        planned = page.locator('#caps tr[data-kind="meeting"] .planned').inner_text()
        assert planned == "2"
        desk.fits("the saved plan")
        desk.snap("clerk-saved")
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation(url=PLAN):
            page.locator("#plan-submit-form").get_by_role("button", name="报送减负办审核").click()
        assert page.locator("#state").inner_text() == "待减负办审核"
        assert page.locator("#plan-form").count() == 0
        desk.snap("clerk-submitted")
        desk.logout()

        # --- review office: the submitted plan is first; a return needs a comment --------
        desk.login("reviewer")
        with page.expect_navigation(url=re.compile(r"/proposals/plans/$")):
            page.locator("header nav").get_by_role("link", name="年度计划").click()
        first = page.locator("#plans tbody tr").first
        assert first.get_attribute("data-department") == "JH-EDU"
        assert "待减负办审核" in first.inner_text()
        desk.fits("the office's list")
        desk.snap("office-list")
        with page.expect_navigation(url=PLAN):
            first.get_by_role("link").click()
        desk.fits("the plan to decide")
        desk.snap("office-reads")
        page.locator("#plan-decide-form").get_by_label("退回修改").check()
        with page.expect_navigation():
            page.locator("#plan-decide-form").get_by_role("button", name="提交决定").click()
        assert "退回时请写明意见。" in page.locator("#refusal").inner_text()
        assert page.locator("#plan-decide-form").get_by_label("退回修改").is_checked()
        desk.snap("office-refused")
        page.locator("#plan-decide-form").get_by_label("批准（计划数成为该年度总量）").check()
        with page.expect_navigation(url=re.compile(rf"/proposals/plans/\?year={year}$")):
            page.locator("#plan-decide-form").get_by_role("button", name="提交决定").click()
        assert f"已批准，计划数已设为 {year} 年度总量。" in page.locator(".messages").inner_text()
        assert "已批准" in page.locator('#plans tr[data-department="JH-EDU"]').inner_text()
        desk.fits("the list after approval")
        desk.snap("office-approved")
        desk.logout()

    _with_browser(playwright_sync, run)
    plan = Plan.objects.get(department__code="JH-EDU", year=year)
    assert plan.state == PlanState.APPROVED
    assert [e.action for e in plan.events.all()] == ["create", "submit", "approve"]
    # Each kind's cap: the plan's count, never above floor(this year's actual × 0.7).
    for kind, planned in (("document", 1), ("meeting", 2), ("inspection", 1)):
        now = Quota.objects.filter(department__code="JH-EDU", year=today.year, kind=kind).first()
        ceiling = None if now is None else math.floor((now.committed + now.flagged) * 0.7 + 1e-9)
        expected = planned if ceiling is None else min(planned, ceiling)
        assert Quota.objects.get(department__code="JH-EDU", year=year, kind=kind).cap == expected
