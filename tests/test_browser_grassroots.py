"""A village reporter's month on a 390 px phone (issue 17), in Debian's chromium:
the monitoring point's log pre-filled from the gate, one addition that came
through a work chat, the survey, confirm; then the year's rating of the
department that sent the burden. Nothing may scroll sideways.

Run alone: ``pytest -m browser tests/test_browser_grassroots.py``."""

import datetime as dt
import shutil

import pytest
from django.utils import timezone

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]
PHONE = {"width": 390, "height": 844}


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


@pytest.mark.django_db(transaction=True)
def test_a_village_reporters_month_on_a_phone(live_server, monkeypatch, tmp_path):
    playwright_sync = pytest.importorskip("playwright.sync_api")
    from grassroots import evaluations, monitoring
    from grassroots.models import Flag, MonthlyLog, Rating, SurveyQuestion
    from tests.factory import People
    from tests.grassroots import Grassroots, last_month

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    year, month = last_month()
    people = People(year=year, cap=5)
    g = Grassroots(people)
    people.approved(people.document(title="关于开展村级防汛隐患排查的通知", planned_date=dt.date(year, month, 12),
                                    target_levels=["village"]))
    monitoring.point_designate(by=people.reviewer, unit=g.village)
    SurveyQuestion.objects.create(text="本月迎检、填表负担比上月减轻了", created_by=people.reviewer)
    today = timezone.localdate()
    evaluations.window_set(by=people.reviewer, year=year, opens_on=today, closes_on=today + dt.timedelta(days=7))
    base = live_server.url

    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            page.set_default_timeout(10_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "grassroots_village")
            page.fill("#id_password", "pw")
            with page.expect_navigation():
                page.get_by_role("button", name="登录").click()

            page.goto(f"{base}/grassroots/monitoring/")
            _fits(page)
            with page.expect_navigation():
                page.locator(f'[data-month="{year}-{month}"] a').click()
            assert "关于开展村级防汛隐患排查的通知" in page.locator("#log-items").inner_text()
            assert "发文 1 件" in page.locator("#totals").inner_text()
            _fits(page)
            page.screenshot(path=str(tmp_path / "month.png"), full_page=True)

            page.select_option("#id_add-0-issuer", label="江海市农业农村局（JH-AGRI）")
            page.select_option("#id_add-0-channel", "chat_group")
            page.select_option("#id_add-0-kind", "document")
            page.fill("#id_add-0-received_on", f"{year}-{month:02d}-18")
            page.fill("#id_add-0-summary", "村民小组工作群通知：三天内上报秋收进度表。")
            page.fill("#id_add-0-forms_demanded", "2")
            page.locator("#month-form .scores label", has_text="2").first.click()
            _fits(page)
            with page.expect_navigation():
                page.get_by_role("button", name="确认本月台账").click()
            assert page.locator("#confirmed").count() == 1, page.locator(".errorlist").all_inner_texts()
            assert "已于" in page.locator("#confirmed").inner_text()
            _fits(page)

            page.goto(f"{base}/grassroots/evaluation/")
            _fits(page)
            with page.expect_navigation():
                page.locator('[data-department="JH-EDU"] a').click()
            for dimension, score in (("necessity", "4"), ("effect", "3"), ("burden", "2"), ("formalism", "2")):
                page.locator(f"#score-{dimension} label", has_text=score).click()
            page.fill("#id_comment", "排查表格可以合并。")
            _fits(page)
            page.screenshot(path=str(tmp_path / "rate.png"), full_page=True)
            with page.expect_navigation():
                page.get_by_role("button", name="提交评价").click()
            assert "已评价" in page.locator('[data-department="JH-EDU"]').inner_text()
        finally:
            browser.close()

    log = MonthlyLog.objects.get(unit=g.village, year=year, month=month)
    assert log.registered["totals"]["documents"] == 1 and log.answers.get().score == 2
    flag = Flag.objects.get()
    assert (flag.issuer.code, flag.unit, flag.forms_demanded) == ("JH-AGRI", g.village, 2)
    rating = Rating.objects.get()
    assert (rating.necessity, rating.effect, rating.burden, rating.formalism) == (4, 3, 2, 2)
