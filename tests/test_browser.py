"""One meeting proposal driven through the real UI in Debian's chromium:
clerk drafts and submits, the head signs, the review office approves, and the
dashboard gauge moves from 审核中 to 已批准.

Run alone, e.g. ``pytest -m browser tests/test_browser.py``; screenshots go to
$SCREENSHOT_DIR (default: the test's tmp_path).
"""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "demo-pass-2026"
GAUGE = '[data-quota="JH-EDU-meeting"]'
TITLE = "关于全市中小学秋季安全工作部署会的申请"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]


def _meeting_day(today: dt.date) -> dt.date:
    """A Tuesday or Thursday on days 8–28 of the current year that no 无会日 rule covers:
    the next one after today, else (late December) one already past."""
    from approvals.rules import meeting_free_rules_hit

    def fits(day):
        return (day.year == today.year and day.isoweekday() in (2, 4) and 8 <= day.day <= 28
                and not meeting_free_rules_hit(day))

    for step in (1, -1):
        day = today + dt.timedelta(days=step)
        while day.year == today.year:
            if fits(day):
                return day
            day += dt.timedelta(days=step)
    raise AssertionError(f"no usable meeting day in {today.year}")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def shoot(page, name):
        page.screenshot(path=str(folder / f"{next(counter):02d}-{name}.png"), full_page=True)

    return shoot


@pytest.mark.django_db(transaction=True)
def test_a_meeting_goes_from_draft_to_approved_in_the_browser(live_server, shots, monkeypatch):
    playwright_sync = pytest.importorskip("playwright.sync_api")
    from approvals.models import Proposal, State
    from quotas.services import ledger_drift

    # Playwright's sync API keeps an event loop running in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("load_demo", verbosity=0)
    today = timezone.localdate()
    day = _meeting_day(today).isoformat()
    base = live_server.url

    def login(page, username):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/proposals/todo/")  # 待办 is where every role starts
        assert username in page.locator("header .who").inner_text()

    def logout(page):
        page.locator("header .who").get_by_role("button", name="退出").click()
        page.wait_for_url(re.compile(r"/accounts/login/"))

    def press(page, form, label):
        """Click a form's submit button and wait for the page the POST leads to."""
        with page.expect_navigation():
            page.locator(form).get_by_role("button", name=label).click()
        refusal = page.locator("#refusal")
        assert refusal.count() == 0, refusal.inner_text()

    def gauge(page):
        page.goto(f"{base}/")
        card = page.locator(GAUGE)
        assert card.count() == 1, "no JH-EDU meeting gauge on the dashboard"
        return {name: int(card.locator(f"b.{name}").inner_text())
                for name in ("cap", "committed-n", "reserved-n", "remaining")}

    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.set_default_timeout(10_000)

            # --- clerk: draft and submit ---------------------------------------------
            login(page, "clerk_edu")
            before = gauge(page)
            shots(page, "clerk-dashboard")

            page.goto(f"{base}/proposals/new/meeting/")
            page.fill("#id_title", TITLE)
            page.fill("#id_necessity", "秋季开学后统一部署校园安全工作，须面对面传达。")
            page.check('input[name="target_levels"][value="county"]')
            page.fill("#id_start", f"{day}T09:00")
            page.fill("#id_end", f"{day}T11:00")
            page.select_option("#id_meeting_format", label="现场会议")
            page.select_option("#id_meeting_class", "3")
            page.fill("#id_attendees_city", "12")
            page.fill("#id_attendees_county", "20")
            page.fill("#id_attendees_township", "0")
            page.fill("#id_attendees_village", "0")
            page.fill("#id_venue", "市教育局三楼会议室")
            shots(page, "clerk-meeting-form")
            with page.expect_navigation(url=re.compile(r"/proposals/\d+/$")):
                page.get_by_role("button", name="保存草稿").click()
            detail_url = page.url
            pk = int(re.search(r"/proposals/(\d+)/$", detail_url).group(1))
            assert page.locator("#state").inner_text() == "草稿"
            assert page.locator(".warn-box").count() == 0, page.locator(".warn-box").all_inner_texts()
            shots(page, "clerk-draft")

            press(page, "#submit-form", "提交审核")
            assert page.locator("#state").inner_text() == "部门负责人审签"
            shots(page, "clerk-submitted")
            submitted = gauge(page)
            assert submitted["reserved-n"] == before["reserved-n"] + 1
            assert submitted["committed-n"] == before["committed-n"]
            assert submitted["remaining"] == before["remaining"] - 1
            logout(page)

            # --- head: sign ------------------------------------------------------------
            login(page, "head_edu")
            page.goto(f"{base}/proposals/")
            shots(page, "head-list")
            with page.expect_navigation(url=detail_url):
                page.get_by_role("link", name=TITLE).click()
            page.get_by_label("同意（审签）").check()
            page.fill("#decide-form textarea[name=comment]", "同意召开。")
            shots(page, "head-decision")
            press(page, "#decide-form", "提交决定")
            page.goto(detail_url)  # a decision opens 下一件; come back to this one
            assert page.locator("#state").inner_text() == "减负办审核"
            logout(page)

            # --- reviewer: approve -----------------------------------------------------
            login(page, "reviewer")
            pending = gauge(page)
            assert (pending["committed-n"], pending["reserved-n"]) == (
                submitted["committed-n"], submitted["reserved-n"])
            shots(page, "reviewer-dashboard-before")
            page.goto(detail_url)
            assert page.locator("#escalation-reasons").count() == 0
            page.get_by_label("同意", exact=True).check()
            shots(page, "reviewer-decision")
            press(page, "#decide-form", "提交决定")
            page.goto(detail_url)
            assert page.locator("#state").inner_text() == "已批准"
            trail = page.locator("#audit-trail").inner_text()
            assert "head_edu" in trail and "reviewer" in trail
            shots(page, "reviewer-approved")

            after = gauge(page)
            shots(page, "reviewer-dashboard-after")
            assert after["committed-n"] == pending["committed-n"] + 1
            assert after["reserved-n"] == pending["reserved-n"] - 1
            assert after["committed-n"] == before["committed-n"] + 1
            assert after["reserved-n"] == before["reserved-n"]
            assert after["remaining"] == before["remaining"] - 1
        finally:
            browser.close()

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == State.APPROVED
    assert proposal.quota.year == today.year
    assert ledger_drift() == []
