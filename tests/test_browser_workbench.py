"""Each role's day in the 工作台, driven through Debian's chromium (issue 12, "How
it is tested"): the clerk drafts a document with its PDF and submits; the head,
the review office and the leader find it in 待办, read it (the PDF preview, the
quota slot, the escalation reasons), decide and land on 下一件 or the to-do;
the clerk reads the return reason at the top and resubmits; withdraw asks
first. The same day again at 390×844: no page on the path scrolls sideways and
the head and the leader decide from the phone.

Run alone, e.g. ``SCREENSHOT_DIR=test-artifacts pytest -m browser
tests/test_browser_workbench.py``; screenshots go to $SCREENSHOT_DIR (default:
the test's tmp_path).
"""

import datetime as dt
import re
import shutil

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, shots  # noqa: F401 (shots is a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}
TODO = re.compile(r"/proposals/todo/(\?.*)?$")
DETAIL = re.compile(r"/proposals/(\d+)/$")
# What lands after a decision: the next waiting item, or the to-do when none is left.
AFTER_DECISION = re.compile(r"/proposals/(\d+/|todo/)$")


def _small_pdf(text: str = "Draft for review") -> bytes:
    """A one-page PDF that any reader opens (offsets in the xref table are exact)."""
    content = b"BT /F1 24 Tf 72 760 Td (" + text.encode("ascii") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _issue_day(today: dt.date) -> str:
    """A planned issue date later this year (today itself on the last days of December)."""
    return min(today + dt.timedelta(days=10), dt.date(today.year, 12, 31)).isoformat()


class Desk:
    """One browser page and the steps every role takes on it."""

    def __init__(self, page, base, shoot, prefix, *, phone=False):
        self.page, self.base, self.shoot, self.prefix, self.phone = page, base, shoot, prefix, phone

    def snap(self, name):
        self.shoot(self.page, f"{self.prefix}-{name}")

    def fits(self, what):
        """On a phone, nothing on the page may scroll sideways."""
        if not self.phone:
            return
        wide = self.page.evaluate("""() => {
            const w = window.innerWidth;
            if (document.documentElement.scrollWidth <= w) return null;
            return [document.documentElement.scrollWidth, Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))];
        }""")
        assert wide is None, f"{what} scrolls sideways at {self.page.viewport_size['width']} px: {wide}"
        # Nor may a table squeeze a cell's text into a column narrower than two characters
        # (the 7-column list at 390 px did: "江/海/市/教/育/局", one character a line).
        squeezed = self.page.evaluate("""() => Array.from(document.querySelectorAll('td, th'))
            .filter(e => e.offsetParent !== null)
            .filter(e => {
                const text = e.innerText.trim(), style = getComputedStyle(e);
                const width = e.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return text.length >= 2 && width < 1.8 * parseFloat(style.fontSize);
            }).slice(0, 5).map(e => e.innerText.trim().slice(0, 20))""")
        assert squeezed == [], f"{what} squeezes table cells at {self.page.viewport_size['width']} px: {squeezed}"

    def login(self, username):
        page = self.page
        page.goto(f"{self.base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation(url=TODO):
            page.get_by_role("button", name="登录").click()
        assert username in page.locator("header .who").inner_text()
        self.fits(f"{username}'s to-do")

    def logout(self):
        with self.page.expect_navigation(url=re.compile(r"/accounts/login/")):
            self.page.locator("header .who").get_by_role("button", name="退出").click()

    def press(self, form, label):
        """Click a form's submit button and wait for the page the POST leads to."""
        with self.page.expect_navigation():
            self.page.locator(form).get_by_role("button", name=label).click()
        refusal = self.page.locator("#refusal")
        assert refusal.count() == 0, refusal.inner_text()

    def open_from_todo(self, title, *, action_needed):
        """Find the item in 待办 (paging on if need be), check what it asks for, open it."""
        page = self.page
        page.goto(f"{self.base}/proposals/todo/")
        while True:
            item = page.locator("li.todo-item").filter(has=page.locator("a.title", has_text=title))
            if item.count():
                break
            following = page.locator("nav.pagination").get_by_role("link", name="下一页")
            assert following.count(), f"{title} is not in the to-do"
            with page.expect_navigation():
                following.click()
        assert item.count() == 1
        assert action_needed in item.locator(".meta").inner_text()
        assert "办理时限" in item.inner_text()
        self.fits("the to-do")
        with page.expect_navigation(url=DETAIL):
            item.locator("a.title").click()
        self.fits("the decision page")
        return int(DETAIL.search(page.url).group(1))

    def read_the_file(self, pk):
        """The decision page previews the PDF in a frame that the reader may load."""
        frame = self.page.locator("iframe.pdf-preview")
        assert frame.count() == 1
        src = frame.get_attribute("src")
        assert src.startswith(f"/proposals/{pk}/attachments/") and src.endswith("?inline=1")
        response = self.page.request.get(self.base + src)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
        assert "正文" in self.page.locator("#attachments").inner_text()

    def slot(self, year):
        slot = self.page.locator("#quota-slot").inner_text()
        assert re.search(rf"本件占用 {year} 年度发文总量第 \d+/\d+ 个名额", slot), slot
        return slot

    def decide(self, label, comment, *, flash):
        page = self.page
        page.locator("#decide-form").get_by_label(label, exact=True).check()
        page.fill("#decide-form textarea[name=comment]", comment)
        self.snap(f"decide-{label}")
        with page.expect_navigation(url=AFTER_DECISION):
            page.locator("#decide-form").get_by_role("button", name="提交决定").click()
        assert page.locator("#refusal").count() == 0, page.locator("#refusal").inner_text()
        messages = page.locator(".messages").inner_text()
        assert flash in messages, messages
        assert "下一件" in messages or "您的待办已全部办完" in messages, messages
        self.fits("the page after a decision")
        self.snap(f"after-{label}")

    def draft_document(self, title, day, *, flag):
        """The clerk drafts a document with `flag` ticked (an escalation reason), then uploads its PDF."""
        page = self.page
        page.goto(f"{self.base}/proposals/todo/")
        with page.expect_navigation(url=re.compile(r"/proposals/new/document/$")):
            page.get_by_role("link", name="新建发文申请").first.click()
        self.fits("the new document form")
        page.fill("#id_title", title)
        page.fill("#id_necessity", "秋季学期开学，须统一部署校园安全隐患排查，无法以其他方式替代。")
        page.fill("#id_planned_date", day)
        page.check('input[name="target_levels"][value="county"]')
        page.select_option("#id_doc_type", label="通知")
        page.fill("#id_length_chars", "2800")
        page.check(f"#id_{flag}")
        self.snap("document-form")
        with page.expect_navigation(url=DETAIL):
            page.get_by_role("button", name="保存草稿").click()
        assert page.locator("#state").inner_text() == "草稿"
        assert page.locator(".warn-box").count() == 0, page.locator(".warn-box").all_inner_texts()
        pk = int(DETAIL.search(page.url).group(1))

        page.set_input_files("#upload-form input[type=file]", files=[{
            "name": "校园安全通知（送审稿）.pdf", "mimeType": "application/pdf", "buffer": _small_pdf()}])
        page.select_option("#upload-form select[name=role]", label="正文")
        self.press("#upload-form", "上传")
        assert "校园安全通知（送审稿）.pdf" in page.locator("#attachments").inner_text()
        self.fits("the draft with its file")
        self.snap("draft-with-pdf")
        return pk

    def submit(self):
        self.press("#submit-form", "提交审核")
        assert self.page.locator("#state").inner_text() == "部门负责人审签"
        self.fits("the submitted item")

    def check_list(self):
        """The list of proposals (the clerk's and the office's way in besides 待办)."""
        self.page.goto(f"{self.base}/proposals/")
        assert self.page.locator("table").count() >= 1
        self.fits("the list of proposals")
        self.snap("list")


def _with_browser(playwright_sync, run):
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            run(browser)
        finally:
            browser.close()


@pytest.fixture
def workbench(live_server, shots, monkeypatch):  # noqa: F811 (shots is the imported fixture)
    """The demo loaded, and a way to open a desk (a browser page) of a given size."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop running in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("load_demo", verbosity=0)
    return playwright_sync, live_server.url, shots


@pytest.mark.django_db(transaction=True)
def test_a_document_goes_round_every_desk_and_back_to_the_clerk(workbench):
    from approvals.models import Proposal, State

    playwright_sync, base, shoot = workbench
    today = timezone.localdate()
    title = "关于开展秋季学期校园安全隐患排查的通知"

    def run(browser):
        desk = Desk(browser.new_page(locale="zh-CN", **DESKTOP), base, shoot, "desk")
        desk.page.set_default_timeout(10_000)

        # --- clerk: draft with the PDF, submit -----------------------------------------
        desk.login("clerk_edu")
        desk.snap("clerk-todo")
        pk = desk.draft_document(title, _issue_day(today), flag="one_vote_veto")
        desk.submit()
        desk.snap("clerk-submitted")
        desk.check_list()
        desk.logout()

        # --- head: finds it in 待办, reads it, signs ----------------------------------------
        desk.login("head_edu")
        desk.snap("head-todo")
        assert desk.open_from_todo(title, action_needed="审签") == pk
        desk.read_the_file(pk)
        desk.slot(today.year)
        desk.snap("head-reads")
        desk.decide("同意（审签）", "同意报送。", flash="已审签，已送减负办审核。")
        desk.logout()

        # --- review office: sees why it escalates, approves (it goes on to the leader) --
        desk.login("reviewer")
        desk.snap("reviewer-todo")
        desk.open_from_todo(title, action_needed="审核")
        desk.read_the_file(pk)
        desk.slot(today.year)
        assert "设置“一票否决”" in desk.page.locator("#escalation-reasons").inner_text()
        assert desk.page.locator("#opinions").inner_text().count("同意报送。") == 1
        desk.snap("reviewer-reads")
        desk.decide("同意", "必要性充分，报领导小组。", flash="已报领导小组审批。")
        desk.logout()

        # --- leader: returns it with a reason --------------------------------------------
        desk.login("leader")
        desk.open_from_todo(title, action_needed="审批")
        desk.read_the_file(pk)
        assert "设置“一票否决”" in desk.page.locator("#escalation-reasons").inner_text()
        desk.snap("leader-reads")
        desk.decide("退回修改", "请删去“一票否决”的表述，改为纳入年度考核。", flash="已退回经办人修改。")
        desk.logout()

        # --- clerk: the reason at the top, edits, resubmits --------------------------------
        desk.login("clerk_edu")
        assert desk.open_from_todo(title, action_needed="修改后重新提交") == pk
        returned = desk.page.locator("#returned")
        assert "请删去“一票否决”的表述" in returned.inner_text()
        assert "领导小组" in returned.inner_text()
        # At the top: before the facts, the files and the audit trail.
        top = desk.page.evaluate("() => ['#returned', '.facts', '#attachments', '#audit-trail'].map("
                                 "s => document.querySelector(s).getBoundingClientRect().top)")
        assert top == sorted(top), top
        desk.snap("clerk-returned")
        with desk.page.expect_navigation(url=re.compile(rf"/proposals/{pk}/edit/$")):
            desk.page.get_by_role("link", name="修改", exact=True).click()
        desk.page.uncheck("#id_one_vote_veto")
        with desk.page.expect_navigation(url=DETAIL):
            desk.page.get_by_role("button", name="保存草稿").click()
        desk.submit()
        desk.logout()

        # --- head signs again; the office escalates by hand, with its reason -----------------
        desk.login("head_edu")
        desk.open_from_todo(title, action_needed="审签")
        desk.decide("同意（审签）", "已按领导小组意见修改。", flash="已审签，已送减负办审核。")
        desk.logout()
        desk.login("reviewer")
        desk.open_from_todo(title, action_needed="审核")
        assert desk.page.locator("#escalation-reasons").count() == 0
        desk.decide("提级至领导小组", "涉及全市中小学，建议领导小组把关。", flash="已报领导小组审批。")
        desk.logout()

        # --- leader: reads the office's reason, approves ----------------------------------
        desk.login("leader")
        desk.open_from_todo(title, action_needed="审批")
        reasons = desk.page.locator("#escalation-reasons").inner_text()
        assert "涉及全市中小学，建议领导小组把关。" in reasons, reasons
        desk.snap("leader-reads-manual-escalation")
        desk.decide("同意", "同意印发。", flash="已批准")
        desk.page.goto(f"{base}/proposals/{pk}/")
        assert desk.page.locator("#state").inner_text() == "已批准"
        assert desk.page.locator("#registry-number").count() == 1
        desk.snap("approved")
        desk.logout()

        # --- clerk: withdrawing asks first -------------------------------------------------
        desk.login("clerk_edu")
        desk.page.goto(f"{base}/proposals/?state=head_review&kind=document")
        with desk.page.expect_navigation(url=DETAIL):
            desk.page.locator("table a[href^='/proposals/']").first.click()
        other = int(DETAIL.search(desk.page.url).group(1))
        withdraw = desk.page.locator("form[action$='/withdraw/']")
        questions = []
        desk.page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
        withdraw.get_by_role("button", name="撤回申请").click()
        assert desk.page.locator("#state").inner_text() == "部门负责人审签"
        assert questions and "撤回" in questions[0], questions
        desk.page.once("dialog", lambda dialog: dialog.accept())
        with desk.page.expect_navigation(url=DETAIL):
            withdraw.get_by_role("button", name="撤回申请").click()
        assert desk.page.locator("#state").inner_text() == "已撤回"
        desk.snap("clerk-withdrew")
        return pk, other

    result = {}
    _with_browser(playwright_sync, lambda browser: result.update(ids=run(browser)))
    pk, other = result["ids"]
    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == State.APPROVED and proposal.registry_number
    assert not proposal.one_vote_veto
    assert Proposal.objects.get(pk=other).state == State.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_nothing_scrolls_sideways_and_the_head_and_leader_decide(workbench):
    from approvals.models import Proposal, State

    playwright_sync, base, shoot = workbench
    today = timezone.localdate()
    title = "关于进一步加强中小学生课后服务工作并签订安全责任书的通知"

    def run(browser):
        desk = Desk(browser.new_page(locale="zh-CN", **PHONE), base, shoot, "phone", phone=True)
        desk.page.set_default_timeout(10_000)

        desk.login("clerk_edu")
        desk.snap("clerk-todo")
        pk = desk.draft_document(title, _issue_day(today), flag="responsibility_pledge")
        desk.submit()
        desk.snap("clerk-submitted")
        desk.check_list()
        for tab in ("done", "mine"):
            desk.page.goto(f"{base}/proposals/todo/?tab={tab}")
            desk.fits(f"the {tab} tab")
            # The 待办 tab counts what waits, whichever tab is open (as the navigation does).
            assert desk.page.locator("nav.tabs .count").inner_text() == desk.page.locator(
                "header nav .count").inner_text()
        desk.snap("clerk-mine")
        desk.page.goto(f"{base}/proposals/new/meeting/")
        desk.fits("the new meeting form")
        desk.snap("meeting-form")
        desk.logout()

        desk.login("head_edu")
        desk.snap("head-todo")
        desk.open_from_todo(title, action_needed="审签")
        desk.read_the_file(pk)
        desk.slot(today.year)
        desk.snap("head-reads")
        desk.decide("同意（审签）", "同意报送。", flash="已审签，已送减负办审核。")
        desk.logout()

        desk.login("reviewer")
        desk.check_list()
        desk.open_from_todo(title, action_needed="审核")
        assert "要求基层签订责任状" in desk.page.locator("#escalation-reasons").inner_text()
        desk.decide("同意", "报领导小组审批。", flash="已报领导小组审批。")
        desk.logout()

        desk.login("leader")
        desk.snap("leader-todo")
        desk.open_from_todo(title, action_needed="审批")
        desk.read_the_file(pk)
        assert "要求基层签订责任状" in desk.page.locator("#escalation-reasons").inner_text()
        desk.snap("leader-reads")
        desk.decide("同意", "同意印发，责任书须精简。", flash="已批准")
        desk.page.goto(f"{base}/proposals/{pk}/")
        desk.fits("the approved item")
        assert desk.page.locator("#state").inner_text() == "已批准"
        desk.snap("approved")
        desk.logout()
        return pk

    result = {}
    _with_browser(playwright_sync, lambda browser: result.update(pk=run(browser)))
    assert Proposal.objects.get(pk=result["pk"]).state == State.APPROVED
