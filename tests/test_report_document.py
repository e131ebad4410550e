"""Issue 13: the report as a document — GB/T 9704 layout measured with
`pdftotext -bbox`, numbered versions stored once, the JSON twin and verify_report."""

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from reports.models import Report
from tests.test_report_figures import YEAR, departments  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.people(year=YEAR), pytest.mark.slow]

MM = 72 / 25.4
# pdftotext's box of a Noto CJK line is ascent + descent: 1.437 em.
EM = 1.437
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, RIGHT, TOP, BOTTOM = 28 * MM, PAGE_W - 26 * MM, 37 * MM, PAGE_H - 35 * MM


class Words(HTMLParser):
    """pdftotext -bbox-layout: pages of lines of words with their boxes (pt, origin top left)."""

    def __init__(self):
        super().__init__()
        self.pages, self.line, self.word = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        box = {k: float(a[k]) for k in ("xmin", "ymin", "xmax", "ymax") if k in a}
        if tag == "page":
            self.pages.append([])
        elif tag == "line":
            self.line = {"box": box, "words": []}
            self.pages[-1].append(self.line)
        elif tag == "word":
            self.word = {"box": box, "text": ""}
            self.line["words"].append(self.word)

    def handle_data(self, data):
        if self.word is not None:
            self.word["text"] += data.strip()

    def handle_endtag(self, tag):
        if tag == "word":
            self.word = None


def layout(path) -> list:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    parser = Words()
    parser.feed(out.decode())
    return parser.pages


def text_of(line) -> str:
    return "".join(w["text"] for w in line["words"])


@pytest.fixture
def made(departments, tmp_path):  # noqa: F811
    output, twin = tmp_path / "report.pdf", tmp_path / "report.json"
    call_command("compliance_report", year=YEAR, output=str(output), json_output=str(twin))
    if os.environ.get("JF_REPORT_COPY"):  # to look at the pages by hand
        os.makedirs(os.environ["JF_REPORT_COPY"], exist_ok=True)
        (tmp_path / "report.pdf").replace(os.path.join(os.environ["JF_REPORT_COPY"], "report.pdf"))
        call_command("compliance_report", year=YEAR, output=str(output))
    return output, twin


def test_the_layout_follows_gb_t_9704(made):
    pages = layout(made[0])
    assert len(pages) >= 4
    body_sizes, full_lines = [], []
    for number, page in enumerate(pages, start=1):
        numbers = [l for l in page if re.fullmatch(r"—\d+—", text_of(l))]
        body = [l for l in page if l not in numbers and l["box"]["ymax"] < BOTTOM + 2]
        for line in body:  # inside the 版心
            box = line["box"]
            assert LEFT - 1 <= box["xmin"] and box["xmax"] <= RIGHT + 1, (number, text_of(line), box)
            assert TOP - 2 <= box["ymin"], (number, text_of(line), box)
        if number == 1:
            assert numbers == []  # the cover carries no page number
            continue
        (mark,) = numbers
        assert text_of(mark) == f"—{number}—"
        box = mark["box"]
        assert abs((box["ymax"] - box["ymin"]) / EM - 14) < 0.3  # 4号 (14 pt)
        middle = (box["ymin"] + box["ymax"]) / 2
        assert 5 * MM <= middle - BOTTOM <= 10 * MM, middle - BOTTOM  # about 7 mm below the 版心
        if number % 2:  # odd: right, one character in
            assert abs(RIGHT - 14 - box["xmax"]) < 2, box
        else:
            assert abs(LEFT + 14 - box["xmin"]) < 2, box
        for line in body:
            size = (line["box"]["ymax"] - line["box"]["ymin"]) / EM
            if abs(size - 16) < 0.3 and len(text_of(line)) >= 15 and re.fullmatch(r"[\u4e00-\u9fff，。；、（）：]+", text_of(line)):
                full_lines.append(line)
    # Body text: 3号 (16 pt), 28 characters across the 156 mm 版心.
    narrative = [l for l in pages[1] if l["words"] and (l["box"]["ymax"] - l["box"]["ymin"]) / EM > 15]
    assert len(narrative) >= 10
    for line in narrative:
        assert abs((line["box"]["ymax"] - line["box"]["ymin"]) / EM - 16) < 0.3, text_of(line)
    # Character pitch on lines of Chinese text only (digits are narrower), and a
    # first line indented by two characters of that pitch.
    assert full_lines
    for line in full_lines:
        pitch = (line["box"]["xmax"] - line["box"]["xmin"]) / len(text_of(line))
        assert round((RIGHT - LEFT) / pitch) == 28, (text_of(line), pitch)


def test_the_cover_names_issuer_number_date_and_fingerprint_and_every_page_the_fingerprint(made):
    text = subprocess.run(["pdftotext", "-layout", str(made[0]), "-"], capture_output=True, check=True).stdout.decode()
    report = Report.objects.get()
    cover, *rest = text.split("\f")
    flat = re.sub(r"\s+", "", cover)
    assert "江海市基层减负办公室" in flat and report.number in flat and "数据截至" in flat
    assert report.fingerprint in flat and "年度未结束" in flat
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", flat)  # 成文日期
    for page in [p for p in rest if p.strip()]:
        assert report.fingerprint in re.sub(r"\s+", "", page)


def test_the_json_twin_has_the_same_figures_as_the_api(made, client, departments):  # noqa: F811
    twin = json.loads(made[1].read_text())
    client.force_login(departments.auditor)
    api = client.get(f"/api/v1/reports/{YEAR}/summary/").json()
    assert twin["fingerprint"] == api["fingerprint"] == Report.objects.get().fingerprint
    assert twin["departments"] == api["departments"] and twin["totals"] == api["totals"]


def verify(path) -> int:
    try:
        call_command("verify_report", str(path))
    except SystemExit as exit:
        return exit.code
    return 0


def test_verify_report_says_match_no_match_or_not_a_report(made, departments, tmp_path):  # noqa: F811
    path = made[0]
    assert verify(path) == 0
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(path.read_bytes() + b"\n% one byte more than the stored report\n")
    assert verify(tampered) == 1  # same metadata, not the stored bytes
    departments.submitted(departments.meeting())  # the data moves on
    assert verify(path) == 1
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4 not ours")
    assert verify(other) == 2
    assert verify(tmp_path / "missing.pdf") == 2


def test_verify_report_exits_2_for_a_file_not_ours_from_the_shell(tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"not a pdf")
    done = subprocess.run([sys.executable, "manage.py", "verify_report", str(other)], capture_output=True,
                          text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"})
    assert done.returncode == 2 and "不是本系统生成的合规报告" in done.stderr


def test_a_closed_year_is_stored_once_and_regenerating_makes_a_new_version(made, departments, tmp_path, monkeypatch):  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    first = Report.objects.get()
    late = dt.datetime(YEAR + 1, 2, 1, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(timezone, "now", lambda: late)
    closed = tmp_path / "closed.pdf"
    call_command("compliance_report", year=YEAR, output=str(closed))  # closed: made and stored
    stored = Report.objects.order_by("-pk").first()
    assert stored.pk != first.pk and not stored.provisional and stored.version == 2
    departments.submitted(departments.meeting())  # data changes after the year was closed
    again = tmp_path / "again.pdf"
    call_command("compliance_report", year=YEAR, output=str(again))
    assert again.read_bytes() == closed.read_bytes()  # downloaded as stored, never silently different
    assert hashlib.sha256(again.read_bytes()).hexdigest() == stored.sha256
    call_command("compliance_report", year=YEAR, output=str(again), regenerate=True)
    newest = Report.objects.order_by("-pk").first()
    assert newest.version == 3 and newest.number != stored.number and newest.fingerprint != stored.fingerprint
    assert Report.objects.filter(pk=stored.pk, sha256=stored.sha256).exists()  # the old one kept
