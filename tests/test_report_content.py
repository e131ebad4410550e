"""The year-end compliance report (年度减负合规报告): what the PDF says and how it is made."""

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from approvals import services
from quotas.models import LedgerAction, LedgerEntry, Quota
from reports import pdf, render
from tests.clock import outcomes_due
from tests.factory import make_department, make_quota

YEAR = 2027

pytestmark = [pytest.mark.django_db, pytest.mark.people(year=YEAR)]


def other_department_approves(people, title="关于春耕备耕工作的通知"):
    p = services.proposal_create(
        by=people.outsider, kind="document", title=title, necessity="春耕在即。",
        planned_date=dt.date(YEAR, 3, 10), target_levels=["township"], doc_type="notice",
        length_chars=1200,
    )
    services.proposal_submit(proposal=p, by=people.outsider)
    services.proposal_decide(proposal=p, by=people.other_head, decision="approve")
    return services.proposal_decide(proposal=p, by=people.reviewer, decision="approve")


@pytest.fixture
def year_of_work(people):
    """A year with everything the report counts: approvals, a blocked attempt,
    a 特事特办 override, an escalation the leader rejected, a completed meeting,
    and a previous year to measure the reduction against."""
    make_quota(people.dept, year=YEAR - 1, cap=10)
    for i in range(5):
        people.approved(people.document(planned_date=dt.date(YEAR - 1, 4, i + 1), title=f"上年文件{i}"))
    for i in range(3):
        people.approved(people.document(title=f"本年文件{i}"))
    escalated = people.at_office(people.document(title="需提级的文件"))
    services.proposal_decide(proposal=escalated, by=people.reviewer, decision="escalate")
    services.proposal_decide(proposal=escalated, by=people.leader, decision="reject", comment="可合并")
    people.submitted(people.document(title="审核中文件一"))
    people.submitted(people.document(title="审核中文件二"))
    with pytest.raises(services.QuotaRefused):
        people.submitted(people.document(title="被熔断的文件"))
    urgent = people.document(title="防汛紧急通知")
    people.submitted(urgent, emergency=True, justification="汛情紧急，须立即部署。")
    services.proposal_decide(proposal=urgent, by=people.head, decision="approve")
    services.proposal_decide(proposal=urgent, by=people.reviewer, decision="approve")
    services.proposal_decide(proposal=urgent, by=people.leader, decision="approve")
    meeting = people.approved(people.meeting())
    with outcomes_due():
        services.proposal_complete(proposal=meeting, by=people.clerk, actual_attendees=30,
                               actual_cost=Decimal("12345.60"))
    other_department_approves(people)
    return people


def pdf_text(document: bytes) -> str:
    """pdftotext -layout: table rows stay on one line. Its spacing between
    Chinese characters varies, so page footers are compared without spaces."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=document,
                          capture_output=True, check=True).stdout.decode()
    return re.sub(r"—\s*(\d+)\s*—", r"—\1—", text)


def page_number(number: int) -> str:
    return f"—{number}—"


def section(text: str, start: str, end: str | None = None) -> str:
    body = text[text.index(start):]
    return body[:body.index(end)] if end and end in body else body


def kind_row(quota: Quota, prev: Quota | None, blocked: int, reduction=0.3) -> str:
    """The row the report must print for this quota, figures read from the database."""
    used = quota.committed + quota.overridden + quota.flagged
    cells = [quota.get_kind_display(), quota.cap, used, quota.overridden, quota.reserved]
    if prev is None:
        cells += ["新增", "新增", "—"]
    else:
        last = prev.committed + prev.overridden + prev.flagged
        change = used - last
        cells += [last, f"{change:+d}（{100 * change / last:+.1f}%）", int(last * (1 - reduction) + 1e-9)]
    cells.append(blocked)
    return r"\s+".join(re.escape(str(c)) for c in cells)


@pytest.mark.slow
def test_it_prints_the_departments_and_exactly_the_figures_in_the_database(year_of_work):
    people = year_of_work
    made = render.generate(year=YEAR)
    text = pdf_text(made.pdf)
    assert "合规报告" in text and f"{YEAR}年度" in text
    assert "江海市教育局" in text and "江海市农业农村局" in text

    edu = section(text, "江海市教育局（JH-EDU）", "江海市农业农村局（JH-AGRI）")
    doc_quota = Quota.objects.get(department=people.dept, year=YEAR, kind="document")
    prev = Quota.objects.get(department=people.dept, year=YEAR - 1, kind="document")
    blocked = LedgerEntry.objects.filter(quota=doc_quota, action=LedgerAction.BLOCKED).count()
    assert (doc_quota.cap, doc_quota.committed, doc_quota.overridden, doc_quota.reserved, blocked) == (5, 3, 1, 2, 1)
    assert re.search(kind_row(doc_quota, prev, blocked) + r"\s+未达标", edu), edu
    meeting_quota = Quota.objects.get(department=people.dept, year=YEAR, kind="meeting")
    assert re.search(kind_row(meeting_quota, None, 0) + r"\s+达标", edu)
    flat = re.sub(r"\s+", "", edu)
    assert f"熔断拦截{blocked}次" in flat and "提级审核2件" in flat and "特事特办1件" in flat
    assert "汛情紧急，须立即部署。" in flat
    meeting = people.meeting_quota.proposals.get()
    assert f"实际{meeting.actual_cost:,.2f}" in flat and f"预计{meeting.estimated_cost:,.2f}" in flat

    agri = section(text, "江海市农业农村局（JH-AGRI）", "附件2")
    agri_quota = Quota.objects.get(department=people.other, year=YEAR, kind="document")
    assert re.search(kind_row(agri_quota, None, 0) + r"\s+达标", agri)
    assert "关于春耕备耕工作的通知" in agri

    summary = re.sub(r"\s+", "", section(text, "一、总体情况", "二、各部门达标情况"))
    assert "达标1个，未达标1个" in summary
    assert f"被拦截的提交{blocked}次" in summary and "（提级）的事项2件" in summary
    lists = re.sub(r"\s+", "", section(text, "附件2", "附件3"))
    assert "被熔断的文件" in lists and "需提级的文件" in lists  # blocked attempt; rejected item
    assert "台账一致" in section(text, "附件3")
    assert page_number(made.pages) in text


def test_it_reports_average_review_time_per_step_from_the_audit_trail(year_of_work):
    data = render.figures.collect(year=YEAR)
    rows = {row["label"]: row["count"] for row in data.total.review_rows}
    # Head decisions on this year's items: 3 + escalated + urgent + meeting + other department.
    assert rows == {"部门负责人": 7, "减负办": 7, "领导小组": 2}


@pytest.mark.slow
def test_it_embeds_the_cjk_fonts(people, tmp_path):
    output = tmp_path / "report.pdf"
    call_command("compliance_report", year=YEAR, output=str(output))
    listing = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:]]
    names = {f[0].split("+")[-1] for f in fonts}
    assert {"Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC"} <= names
    assert all(f[-5] == "yes" for f in fonts), listing  # the "emb" column


@pytest.mark.slow
def test_the_page_count_grows_with_more_departments(people):
    few = render.generate(year=YEAR).pages
    for i in range(12):
        make_quota(make_department(name=f"江海市新增部门{i}"), year=YEAR, cap=3)
    more = render.generate(year=YEAR).pages
    assert more > few


@pytest.mark.slow
def test_a_department_filter_gives_only_that_department(year_of_work):
    people = year_of_work
    text = pdf_text(render.generate(year=YEAR, department=people.other).pdf)
    assert "江海市农业农村局" in text and "江海市教育局" not in text
    assert "关于春耕备耕工作的通知" in text and "防汛紧急通知" not in text


@pytest.mark.slow
def test_user_text_is_escaped_and_nothing_is_fetched(people, monkeypatch):
    fetched = []
    real = pdf.make_fetcher

    def spying(roots):
        fetcher = real(roots)
        original = fetcher.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return original(url, headers)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(pdf, "make_fetcher", spying)
    title = '<b>加粗</b><img src="file:///etc/passwd">'
    people.approved(people.document(title=title))
    document = render.generate(year=YEAR).pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert title in re.sub(r"\s+", "", text).replace("imgsrc", "img src")
    assert "root:" not in text
    assert fetched == [render.CSS_URL]


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.com/x.css", "https://example.com/x.png",
    pdf.STATIC_SCHEME + "../../../../etc/passwd", pdf.STATIC_SCHEME + "reports/../../models.py",
])
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    fetcher = pdf.make_fetcher(render.static_roots())
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.fetch(render.CSS_URL).read().startswith(b"/*")


def test_without_a_cjk_font_the_command_fails_clearly_and_writes_nothing(people, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_fonts", lambda: {"DejaVu Sans"})
    with pytest.raises(CommandError, match="没有可用的中文字体"):
        call_command("compliance_report", year=YEAR, output=str(tmp_path / "r.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_leaves_no_partial_file(people, tmp_path, monkeypatch):
    output = tmp_path / "r.pdf"
    output.write_bytes(b"previous report")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(CommandError, match="内部错误"):
        call_command("compliance_report", year=YEAR, output=str(output))
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]
    assert output.read_bytes() == b"previous report"


@pytest.mark.slow
def test_the_command_writes_the_pdf_and_shows_progress(people, tmp_path, capsys):
    output = tmp_path / "out" / "r.pdf"
    call_command("compliance_report", year=YEAR, output=str(output), department="JH-EDU")
    assert output.read_bytes().startswith(b"%PDF")
    err = capsys.readouterr().err
    assert "100%" in err and "#" in err
    with pytest.raises(CommandError, match="NOPE"):
        call_command("compliance_report", year=YEAR, output=str(output), department="NOPE")
