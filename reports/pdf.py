"""HTML → PDF with WeasyPrint: a locked-down URL fetcher, the CJK font check,
and parallel rendering of report parts merged with pikepdf (qpdf).

This module does not touch Django models or settings, so that worker
processes started with "spawn" can import it without setting Django up.
"""

import io
import mimetypes
import os
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

# Stylesheets and images in report HTML name our static files with this scheme
# ("jianfuzha-static:reports/report.css"); the fetcher serves nothing else.
STATIC_SCHEME = "jianfuzha-static:"
REQUIRED_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC")


class ReportError(Exception):
    """The report cannot be generated; str() says why, for the person who asked."""


class FontMissing(ReportError):
    pass


def cjk_fonts() -> set[str]:
    """Font families fontconfig offers for Chinese (fc-list :lang=zh)."""
    if shutil.which("fc-list") is None:
        return set()
    listing = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()}


def check_fonts() -> None:
    """Refuse to render rather than print blank boxes for every Chinese character."""
    available = cjk_fonts()
    missing = [name for name in REQUIRED_FONTS if name not in available]
    if missing:
        raise FontMissing(
            "没有可用的中文字体（缺少 " + "、".join(missing) + "），报告中的汉字将无法显示。"
            "请安装 fonts-noto-cjk（Debian: apt-get install fonts-noto-cjk）后重试。"
            " / No CJK font found: install fonts-noto-cjk."
        )


def make_fetcher(static_roots: list[str]):
    """A WeasyPrint URL fetcher that serves only files under our static roots.

    Built on demand (not pickled) so that worker processes make their own.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [os.path.realpath(root) for root in static_roots]

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_SCHEME):
                raise ValueError(f"refused to fetch {url!r}: reports load only their own static files")
            relative = url[len(STATIC_SCHEME):].split("?")[0].lstrip("/")
            for root in roots:
                path = os.path.realpath(os.path.join(root, relative))
                if path.startswith(root + os.sep) and os.path.isfile(path):
                    with open(path, "rb") as f:
                        body = f.read()
                    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": mime})
            raise ValueError(f"refused to fetch {url!r}: not one of our static files")

    return StaticOnlyFetcher()


def render_pdf(html: str, static_roots: list[str]) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=make_fetcher(static_roots)).write_pdf()


def _render_part(index: int, html: str, static_roots: list[str]) -> tuple[int, bytes]:
    return index, render_pdf(html, static_roots)


def render_in_processes(documents: list[str], static_roots: list[str], *, jobs: int, progress=None) -> list[bytes]:
    """Render HTML documents to PDFs in `jobs` processes, in the order given.

    spawn, not fork: the caller may be a threaded task worker holding
    database connections.
    """
    results = [None] * len(documents)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"))
    try:
        futures = [pool.submit(_render_part, i, html, static_roots) for i, html in enumerate(documents)]
        for done, future in enumerate(as_completed(futures), start=1):
            index, pdf = future.result()
            results[index] = pdf
            if progress:
                progress(done, len(documents))
    finally:
        # Workers that laid out a large report hold GBs and take seconds to
        # exit: let them go in the background while the caller merges.
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def footer_text(number: int, total: int) -> str:
    """The footer of page `number`, as reports/pdf/stamp.html lays it out."""
    return f"第 {number} 页 共 {total} 页"


# Every digit, so that the sample's font subset holds every glyph a footer needs.
SAMPLE_NUMBER = 1023456789


def sample_html(stamp_html) -> str:
    """The one stamp page the footers are drawn from."""
    return stamp_html(first=SAMPLE_NUMBER, count=1, total=SAMPLE_NUMBER)


def merge_with_page_numbers(parts: list[bytes], stamp_html, static_roots: list[str], *,
                            sample: bytes) -> tuple[bytes, int]:
    """Concatenate part PDFs and stamp "第 X 页 共 Y 页" on every page but the cover.

    The parts were rendered without page numbers. `stamp_html(first=, count=,
    total=)` returns `count` empty pages whose only content is the footer,
    laid out by the same @page rules with counter(page) starting at `first`;
    `sample` is sample_html(stamp_html) rendered: one footer with every digit.
    Every page's footer is drawn from the sample's font, position and glyphs
    (sample_stamps), which takes a second instead of WeasyPrint's ~7 ms a
    page. If the sample is not laid out as expected, WeasyPrint renders all
    the stamps instead.
    """
    import pikepdf

    # The first part (cover, title and metadata) is the document the rest is appended to.
    merged, *rest = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in parts]
    for source in rest:
        merged.pages.extend(source.pages)
    total = len(merged.pages)
    stamp_file = sample_stamps(sample, footer_text(SAMPLE_NUMBER, SAMPLE_NUMBER),
                               [footer_text(n, total) if n > 1 else "" for n in range(1, total + 1)])
    if stamp_file is None:
        stamp_file = pikepdf.Pdf.open(io.BytesIO(
            render_pdf(stamp_html(first=1, count=total, total=total), static_roots)))
    if len(stamp_file.pages) != total:
        raise ReportError(f"页码排版出错：{total} 页正文，{len(stamp_file.pages)} 页页码。"
                          " / page stamps do not match the pages")
    # qpdf wraps each stamp page in a form XObject and draws it over the page:
    # the content streams are not rewritten.
    for page, stamp in zip(merged.pages, stamp_file.pages):
        page.add_overlay(stamp)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue(), total


def sample_stamps(sample: bytes, sample_text: str, texts: list[str]):
    """A PDF whose page i shows only `texts[i]`, set exactly like the footer
    of the one-page `sample` (whose footer reads `sample_text`): same font
    subset, size, colour, baseline and centre. None if the sample is not one
    text run in one Identity-H font, with a glyph for every character.
    """
    import pikepdf

    document = pikepdf.Pdf.open(io.BytesIO(sample))
    template = document.pages[0]
    operations = list(pikepdf.parse_content_stream(template))
    kinds = [str(operator) for _, operator in operations]
    if any(kinds.count(kind) != 1 for kind in ("Tf", "Tm", "TJ")):
        return None
    operands = {kind: list(ops) for (ops, _), kind in zip(operations, kinds) if kind in ("Tf", "Tm", "TJ")}
    font_name, size = operands["Tf"]
    matrix, (run,) = operands["Tm"], operands["TJ"]
    font = template.Resources.Font.get(font_name)
    if font is None or font.get("/Encoding") != pikepdf.Name("/Identity-H"):
        return None
    if any(not isinstance(item, pikepdf.String) and int(item) != 0 for item in run):
        return None  # kerning inside the run: positions would not be plain advances
    codes = b"".join(bytes(item) for item in run if isinstance(item, pikepdf.String))
    glyphs = [codes[i:i + 2] for i in range(0, len(codes), 2)]
    if len(glyphs) != len(sample_text):
        return None
    glyph_of = dict(zip(sample_text, glyphs))
    if any(char not in glyph_of for text in texts for char in text):
        return None
    widths = _glyph_widths(font.DescendantFonts[0])
    default = int(font.DescendantFonts[0].get("/DW", 1000))

    def width(text: str) -> float:
        return sum(widths.get(int.from_bytes(glyph_of[c], "big"), default) for c in text) * float(size) / 1000

    centre = float(matrix[4]) + width(sample_text) / 2
    for text in texts:
        content = b""
        if text:
            replaced = {
                "Tm": [*matrix[:4], centre - width(text) / 2, matrix[5]],
                "TJ": [pikepdf.Array([pikepdf.String(b"".join(glyph_of[c] for c in text))])],
            }
            content = pikepdf.unparse_content_stream(
                [(replaced.get(kind, ops), operator) for (ops, operator), kind in zip(operations, kinds)])
        page = document.add_blank_page(page_size=(float(template.MediaBox[2]), float(template.MediaBox[3])))
        page.Resources = template.Resources
        page.Contents = document.make_stream(content)
    del document.pages[0]  # the sample itself
    return document


def _glyph_widths(cid_font) -> dict[int, int]:
    """A CID font's /W array ([first [w …]] or [first last w]) as {glyph: width}."""
    import pikepdf

    widths, items, i = {}, list(cid_font.get("/W", [])), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, w in enumerate(items[i + 1]):
                widths[first + offset] = int(w)
            i += 2
        else:
            for glyph in range(first, int(items[i + 1]) + 1):
                widths[glyph] = int(items[i + 2])
            i += 3
    return widths


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)
