"""Turn ReportData into a PDF: one pass for small reports, department parts
rendered in parallel and merged for large ones."""

import os
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from quotas.limits import DEFAULT_REDUCTION

from . import figures, pdf
from .charts import quota_chart

CSS_URL = pdf.STATIC_SCHEME + "reports/report.css"
# Below this many departments one pass is faster than starting worker processes.
PARALLEL_MIN_DEPARTMENTS = 40


def static_roots() -> list[str]:
    """The only directories the PDF renderer may read from."""
    roots = [Path(apps.get_app_config("reports").path) / "static"]
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    return [str(r) for r in roots]


def render_jobs() -> int:
    configured = getattr(settings, "REPORT_RENDER_JOBS", 0)
    return configured if configured > 0 else min(2, os.cpu_count() or 1)


def scope_label(data: figures.ReportData) -> str:
    if data.department is not None:
        return f"{data.department.name}（{data.department.code}）"
    return f"全部 {len(data.departments)} 个部门"


def _context(data: figures.ReportData, **part) -> dict:
    return {
        "data": data, "css_url": CSS_URL, "scope_label": scope_label(data),
        "one_minus_reduction": Decimal(1) - data.reduction, **part,
    }


def report_html(data: figures.ReportData, *, page_numbers: bool = True) -> str:
    """The whole report as one HTML document."""
    return render_to_string("reports/pdf/report.html", _context(
        data, show_front=True, show_back=True, page_numbers=page_numbers,
        departments=list(enumerate(data.departments, start=1)),
    ))


def report_parts(data: figures.ReportData, count: int) -> list[str]:
    """The report split at department boundaries into `count` documents (each
    department starts a page, so the parts' pages are exactly the one-pass
    document's pages). Few parts: every part embeds its own font subsets."""
    numbered = list(enumerate(data.departments, start=1))
    size = max(1, -(-len(numbered) // count))
    chunks = [numbered[i:i + size] for i in range(0, len(numbered), size)] or [[]]
    return [
        render_to_string("reports/pdf/report.html", _context(
            data, departments=chunk, page_numbers=False,
            show_front=index == 0, show_back=index == len(chunks) - 1,
        ))
        for index, chunk in enumerate(chunks)
    ]


def stamp_html(*, first: int, count: int, total: int) -> str:
    """`count` pages that carry only the footer, numbered from `first` of `total`."""
    return render_to_string("reports/pdf/stamp.html", {
        "css_url": CSS_URL, "pages": range(count), "first": first, "total": total,
    })


def generate(*, year: int, department=None, reduction=DEFAULT_REDUCTION, jobs: int | None = None,
             progress=None) -> tuple[bytes, int]:
    """The report as PDF bytes and its page count. `progress(percent, step)` is told along the way.

    Always in Chinese: it is an official document, whatever language the
    person who asked for it reads the site in.
    """
    with translation.override("zh-hans"):
        return _generate(year=year, department=department, reduction=reduction, jobs=jobs,
                         progress=progress or (lambda percent, step: None))


def _generate(*, year, department, reduction, jobs, progress) -> tuple[bytes, int]:
    pdf.check_fonts()
    progress(2, "读取台账与审核记录")
    data = figures.collect(year=year, department=department, reduction=reduction)
    progress(15, "绘制图表")
    for scope in data.departments:
        scope.chart = quota_chart(scope.months)
    jobs = render_jobs() if jobs is None else jobs
    roots = static_roots()
    if jobs <= 1 or len(data.departments) < PARALLEL_MIN_DEPARTMENTS:
        progress(25, "排版 PDF")
        document = pdf.render_pdf(report_html(data), roots)
        progress(98, "写入文件")
        return document, pdf.page_count(document)
    parts = report_parts(data, jobs)
    progress(25, f"排版 PDF（{jobs} 个进程，{len(parts)} 部分）")
    # The page-number sample goes to a worker too, first (one page, while the
    # other worker starts a part): the parent need not load WeasyPrint at all.
    sample, *rendered = pdf.render_in_processes(
        [pdf.sample_html(stamp_html), *parts], roots, jobs=jobs,
        progress=lambda done, total: progress(25 + 65 * done // total, f"排版 PDF：{done}/{total}"),
    )
    progress(92, "合并并编排页码")
    document, pages = pdf.merge_with_page_numbers(rendered, stamp_html, roots, sample=sample)
    progress(98, "写入文件")
    return document, pages
