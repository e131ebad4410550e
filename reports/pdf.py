"""HTML → PDF with WeasyPrint: a locked-down URL fetcher, the CJK font check,
and the report's metadata (pikepdf). No Django models or settings here."""

import io
import mimetypes
import os
import shutil
import subprocess

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


# The PDF's document-information key that names a report of this system.
METADATA_KEY = "/JianfuzhaReport"
SYSTEM = "jianfuzha"


def with_metadata(document: bytes, info: dict) -> bytes:
    """The PDF with `info` (JSON) under METADATA_KEY in its document information."""
    import json

    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(document)) as pdf:
        pdf.docinfo[METADATA_KEY] = json.dumps(info, ensure_ascii=False, sort_keys=True)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def read_metadata(document: bytes) -> dict | None:
    """The report's own metadata, or None if this is not (readable as) a report of this system."""
    import json

    import pikepdf

    try:
        with pikepdf.Pdf.open(io.BytesIO(document)) as pdf:
            raw = pdf.docinfo.get(METADATA_KEY)
            info = json.loads(str(raw)) if raw is not None else None
    except (pikepdf.PdfError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("system") != SYSTEM:
        return None
    return info


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)
