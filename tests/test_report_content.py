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
    return re.sub(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", r"第\1页共\2页", text)


def page_number(number: int, total: int) -> str:
    return f"第{number}页共{total}页"


def section(text: str, start: str, end: str | None = None) -> str:
    body = text[text.index(start):]
    return body[:body.index(end)] if end and end in body else body


def kind_row(quota: Quota, prev: Quota | None, blocked: int, reduction=0.3) -> str:
    """The row the report must print for this quota, figures read from the database."""
    used = quota.committed + quota.overridden
    cells = [quota.get_kind_display(), quota.cap, used, quota.overridden, quota.reserved]
    if prev is None:
        cells += ["—", "—", "—"]
    else:
        change = used - prev.committed
        cells += [prev.committed, f"{change:+d}（{100 * change / prev.committed:+.1f}%）",
                  int(prev.committed * (1 - reduction) + 1e-9)]
    cells.append(blocked)
    return r"\s+".join(re.escape(str(c)) for c in cells)


@pytest.mark.slow
def test_it_prints_the_departments_and_exactly_the_figures_in_the_database(year_of_work):
    people = year_of_work
    document, pages = render.generate(year=YEAR, jobs=1)
    text = pdf_text(document)
    assert "年度减负合规报告" in text and f"{YEAR} 年度" in text
    assert "江海市教育局" in text and "江海市农业农村局" in text

    edu = section(text, "江海市教育局（JH-EDU）", "三、未达标部门")
    doc_quota = Quota.objects.get(department=people.dept, year=YEAR, kind="document")
    prev = Quota.objects.get(department=people.dept, year=YEAR - 1, kind="document")
    blocked = LedgerEntry.objects.filter(quota=doc_quota, action=LedgerAction.BLOCKED).count()
    assert (doc_quota.cap, doc_quota.committed, doc_quota.overridden, doc_quota.reserved, blocked) == (5, 3, 1, 2, 1)
    assert re.search(kind_row(doc_quota, prev, blocked) + r"\s+未达标", edu), edu
    meeting_quota = Quota.objects.get(department=people.dept, year=YEAR, kind="meeting")
    assert re.search(kind_row(meeting_quota, None, 0) + r"\s+达标", edu)
    assert f"熔断拦截 {blocked} 次" in edu and "提级审核 2 件" in edu and "特事特办 1 件" in edu
    assert "汛情紧急，须立即部署。" in edu
    meeting = people.meeting_quota.proposals.get()
    assert f"实际 {meeting.actual_cost:,.2f} 元" in edu.replace("\n", "")
    assert f"预计 {meeting.estimated_cost:,.2f}" in edu

    agri = section(text, "江海市农业农村局（JH-AGRI）", "江海市教育局（JH-EDU）")
    agri_quota = Quota.objects.get(department=people.other, year=YEAR, kind="document")
    assert re.search(kind_row(agri_quota, None, 0) + r"\s+达标", agri)
    assert "关于春耕备耕工作的通知" in agri

    summary = section(text, "一、总体情况", "二、各部门情况")
    assert "共 2 个部门，其中达标 1 个，未达标 1 个" in summary.replace("\n", "")
    assert f"被拦截的提交共 {blocked} 次" in summary
    assert "提级）的事项共 2 件" in summary
    missed = section(text, "三、未达标部门", "附录")
    assert "江海市教育局" in missed and "江海市农业农村局" not in missed
    assert "台账一致" in section(text, "附录")
    assert page_number(pages, pages) in text


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
    _, few = render.generate(year=YEAR, jobs=1)
    for i in range(4):
        make_quota(make_department(name=f"江海市新增部门{i}"), year=YEAR, cap=3)
    _, more = render.generate(year=YEAR, jobs=1)
    assert more >= few + 4


@pytest.mark.slow
def test_a_department_filter_gives_only_that_department(year_of_work):
    people = year_of_work
    document, _ = render.generate(year=YEAR, department=people.other, jobs=1)
    text = pdf_text(document)
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
    document, _ = render.generate(year=YEAR, jobs=1)
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
    with pytest.raises(RuntimeError):
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


@pytest.mark.slow
@pytest.mark.parametrize("stamps", ["drawn from the sample", "rendered by WeasyPrint"])
def test_parallel_parts_merge_into_the_same_pages_with_right_numbers(year_of_work, monkeypatch, stamps):
    drawn = []
    if stamps == "rendered by WeasyPrint":
        monkeypatch.setattr(pdf, "sample_stamps", lambda *args: None)  # the fallback
    else:
        original = pdf.sample_stamps
        monkeypatch.setattr(pdf, "sample_stamps", lambda *args: drawn.append(original(*args)) or drawn[-1])
    for i in range(3):
        make_quota(make_department(name=f"江海市新增部门{i}"), year=YEAR, cap=3)
    single, pages = render.generate(year=YEAR, jobs=1)
    monkeypatch.setattr(render, "PARALLEL_MIN_DEPARTMENTS", 1)
    merged, merged_pages = render.generate(year=YEAR, jobs=2)
    assert merged_pages == pages == len(PdfReader(io.BytesIO(merged)).pages)
    assert all(d is not None for d in drawn) and len(drawn) == (stamps == "drawn from the sample")
    text = pdf_text(merged).split("\f")
    for number in range(2, pages + 1):
        assert page_number(number, pages) in text[number - 1]
    assert "第" not in text[0].split("数据来源")[-1]
    assert [t.count("江海市新增部门") for t in text] == [
        t.count("江海市新增部门") for t in pdf_text(single).split("\f")]


def footer_words(document: bytes, page: int) -> list[tuple[str, float, float]]:
    """(word, x, y) of the words below the page's text area, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
                          input=document, capture_output=True, check=True).stdout.decode()
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" [^>]*>([^<]+)</word>', html)
    return [(word, float(x), float(y)) for x, y, word in words if float(y) > 700]


@pytest.mark.slow
def test_page_numbers_drawn_from_the_sample_sit_exactly_where_weasyprint_puts_them():
    """The footers of a merged report are drawn from one WeasyPrint-rendered
    sample: same glyphs, baseline and centring as WeasyPrint's own, for
    numbers of every width."""
    roots, total = render.static_roots(), 1203
    numbers = [2, 9, 10, 99, 100, 1203]
    sample = pdf.render_pdf(pdf.sample_html(render.stamp_html), roots)
    drawn = pdf.sample_stamps(sample, pdf.footer_text(pdf.SAMPLE_NUMBER, pdf.SAMPLE_NUMBER),
                              [pdf.footer_text(n, total) for n in numbers])
    out = io.BytesIO()
    drawn.save(out)
    for page, number in enumerate(numbers, start=1):
        expected = footer_words(pdf.render_pdf(render.stamp_html(first=number, count=1, total=total), roots), 1)
        got = footer_words(out.getvalue(), page)
        assert [w for w, _, _ in got] == ["第", str(number), "页", "共", str(total), "页"]
        assert [w for w, _, _ in got] == [w for w, _, _ in expected]
        for (_, x, y), (_, ex, ey) in zip(got, expected):
            assert abs(x - ex) < 0.05 and abs(y - ey) < 0.05


def test_a_sample_it_cannot_read_gives_none_so_weasyprint_renders_the_stamps():
    roots = render.static_roots()
    sample = pdf.render_pdf(render.stamp_html(first=5, count=1, total=9), roots)
    # The sample lacks most digits: it cannot draw "第 7 页".
    assert pdf.sample_stamps(sample, pdf.footer_text(5, 9), [pdf.footer_text(7, 9)]) is None
    assert pdf.sample_stamps(sample, "第 5 页", [pdf.footer_text(5, 9)]) is None
