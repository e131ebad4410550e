"""HTML → PDF with WeasyPrint: a locked-down URL fetcher, the CJK font check,
and parallel rendering of report parts merged with pikepdf (qpdf).

This module does not touch Django models or settings, so that worker
processes started with "spawn" can import it without setting Django up.
"""

import contextlib
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


@contextlib.contextmanager
def worker_pool(jobs: int):
    """Processes for render_many; spawn, not fork: the caller may be a threaded
    task worker holding database connections."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        yield pool


def render_many(documents: list[str], static_roots: list[str], *, pool=None, progress=None) -> list[bytes]:
    """Render HTML documents to PDFs, in the pool's processes if one is given."""
    results = [None] * len(documents)
    if pool is None:
        for index, html in enumerate(documents):
            results[index] = render_pdf(html, static_roots)
            if progress:
                progress(index + 1, len(documents))
        return results
    futures = [pool.submit(_render_part, i, html, static_roots) for i, html in enumerate(documents)]
    for done, future in enumerate(as_completed(futures), start=1):
        index, pdf = future.result()
        results[index] = pdf
        if progress:
            progress(done, len(documents))
    return results


def merge_with_page_numbers(parts: list[bytes], stamp_html, static_roots: list[str], *,
                            pool=None, chunks: int = 1) -> tuple[bytes, int]:
    """Concatenate part PDFs and stamp "第 X 页 共 Y 页" on every page.

    The parts were rendered without page numbers. `stamp_html(first=, count=,
    total=)` returns `count` empty pages whose only content is the footer,
    laid out by the same @page rules with counter(page) starting at `first`,
    so the numbers look exactly as in a single-pass render; the stamps are
    rendered in `chunks` pieces, in parallel when there is a pool.
    """
    import pikepdf

    # The first part (cover, title and metadata) is the document the rest is appended to.
    merged, *rest = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in parts]
    for source in rest:
        merged.pages.extend(source.pages)
    total = len(merged.pages)
    size = -(-total // max(chunks, 1))
    documents = [
        stamp_html(first=first + 1, count=min(size, total - first), total=total)
        for first in range(0, total, size)
    ]
    stamp_files = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in render_many(documents, static_roots, pool=pool)]
    stamps = [page for stamp_file in stamp_files for page in stamp_file.pages]
    if len(stamps) != total:
        raise ReportError(f"页码排版出错：{total} 页正文，{len(stamps)} 页页码。 / page stamps do not match the pages")
    # qpdf wraps each stamp page in a form XObject and draws it over the page:
    # the content streams are not rewritten, so this takes a second, not twenty.
    for page, stamp in zip(merged.pages, stamps):
        page.add_overlay(stamp)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue(), total


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)
