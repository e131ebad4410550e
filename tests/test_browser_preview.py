"""The live preview in Debian's chromium (issue 14, "How it is tested"): as the clerk
types the date and the attendees, the form's 提交预检 panel follows — a meeting-free
day is named with the next free day, one click moves the meeting there, and the
cost and the 提级 reasons follow the attendee counts. Nothing is saved meanwhile."""

import shutil

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]


@pytest.mark.django_db(transaction=True)
def test_the_live_preview_follows_the_date_and_the_attendees(live_server, people, monkeypatch):
    playwright_sync = pytest.importorskip("playwright.sync_api")
    from approvals.models import Proposal
    from quotas.models import LedgerEntry

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            page.set_default_timeout(10_000)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "clerk")
            page.fill("#id_password", "pw")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{base}/proposals/todo/")

            page.goto(f"{base}/proposals/new/meeting/")
            page.fill("#id_title", "全市秋季开学工作部署会")
            page.fill("#id_necessity", "开学在即，须当面部署。")
            page.check('input[name="target_levels"][value="county"]')
            page.select_option("#id_meeting_format", "onsite")
            page.select_option("#id_meeting_class", "3")
            page.fill("#id_venue", "市政府第三会议室")
            page.fill("#id_attendees_city", "20")
            # 2027-09-15 is a Wednesday: 每周三无会日.
            page.fill("#id_start", "2027-09-15T09:00")
            page.fill("#id_end", "2027-09-15T11:00")
            problems = page.locator("#preview-problems")
            problems.get_by_text("无会日").wait_for()
            free_day = page.locator("#preview-free-day")
            assert "9月16日（周四）" in free_day.inner_text()
            assert page.locator("#id_start").get_attribute("aria-invalid") == "true"
            assert page.locator("#preview-calendar .meeting-free[data-date='2027-09-15']").count() == 1
            assert "第 1/5 个名额" in page.locator("#preview-quota").inner_text()
            # 20 × 1 × 550 + 20 × 2 h × 50
            page.locator("#preview-cost .amount").get_by_text("13,000.00").wait_for()

            page.get_by_role("button", name="改到这一天").click()
            page.wait_for_function("document.querySelector('#id_start').value === '2027-09-16T09:00'")
            assert page.locator("#id_end").input_value() == "2027-09-16T11:00"
            page.locator("#preview-ok").wait_for()
            assert page.locator("#preview-problems").is_hidden(), page.locator("#preview-problems").inner_text()
            assert page.locator("#preview-free-day").is_hidden()

            page.fill("#id_attendees_township", "60")
            page.locator("#preview-escalations").get_by_text("乡镇及以下参会 60 人，超过 50 人").wait_for()
            page.locator("#preview-cost .amount").get_by_text("52,000.00").wait_for()
            page.fill("#id_attendees_township", "0")
            page.locator("#preview-escalations").wait_for(state="hidden")
            assert errors == [], errors
        finally:
            browser.close()
    assert Proposal.objects.count() == 0 and LedgerEntry.objects.filter(action="reserve").count() == 0
