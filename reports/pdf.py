"""HTML → PDF with WeasyPrint: a locked-down URL fetcher, the CJK font check,
and parallel rendering of report parts merged with pypdf.

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


def render_parts(parts: list[str], static_roots: list[str], *, jobs: int, progress=None) -> list[bytes]:
    """Render each HTML part to PDF, in `jobs` processes when jobs > 1."""
    results = [None] * len(parts)
    if jobs <= 1:
        for index, html in enumerate(parts):
            results[index] = render_pdf(html, static_roots)
            if progress:
                progress(index + 1, len(parts))
        return results
    # spawn, not fork: the caller may be a threaded worker holding DB connections.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_render_part, i, html, static_roots) for i, html in enumerate(parts)]
        for done, future in enumerate(as_completed(futures), start=1):
            index, pdf = future.result()
            results[index] = pdf
            if progress:
                progress(done, len(parts))
    return results


def merge_with_page_numbers(parts: list[bytes], stamp_html, static_roots: list[str]) -> tuple[bytes, int]:
    """Concatenate part PDFs and stamp "第 X 页 共 Y 页" on every page.

    The parts were rendered without page numbers; `stamp_html(total)` returns a
    document of `total` empty pages whose only content is the footer, laid out
    by the same @page rules with counter(page) and counter(pages), so the
    numbers look exactly as in a single-pass render.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in parts:
        writer.append(PdfReader(io.BytesIO(pdf)))
    total = len(writer.pages)
    stamps = PdfReader(io.BytesIO(render_pdf(stamp_html(total), static_roots)))
    for page, stamp in zip(writer.pages, stamps.pages):
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
