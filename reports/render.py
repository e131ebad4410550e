"""Turn ReportData into a PDF in one WeasyPrint pass.

The layout follows GB/T 9704-2012 (reports/static/reports/report.css); page
numbers "— X —" and the footer (report number, fingerprint, 数据截至) come from
CSS @page rules, so every page carries them without any drawing afterwards.
The PDF's metadata names the report, so that verify_report can recompute it.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from quotas.limits import DEFAULT_REDUCTION

from . import figures, narrative, pdf
from .charts import quota_chart
from .summary import summary

CSS_URL = pdf.STATIC_SCHEME + "reports/report.css"
# Change when the layout or the figures' meaning changes: provisional reports made
# by another layout are not reused (a closed year's stored report stays as it was).
LAYOUT = "gbt9704-3"


@dataclass
class Meta:
    """What identifies this document: 报告编号, version and 发文机关 (a Department)."""

    number: str = ""
    version: int = 1
    issuer: object = None


@dataclass
class Made:
    pdf: bytes
    pages: int
    data: figures.ReportData
    summary: dict


def static_roots() -> list[str]:
    """The only directories the PDF renderer may read from."""
    roots = [Path(apps.get_app_config("reports").path) / "static"]
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    return [str(r) for r in roots]


def scope_label(data: figures.ReportData) -> str:
    if data.department is not None:
        return f"{data.department.name}（{data.department.code}）"
    return f"全部 {len(data.departments)} 个部门"


def report_html(data: figures.ReportData, meta: Meta) -> str:
    return render_to_string("reports/pdf/report.html", {
        "data": data, "meta": meta, "css_url": CSS_URL, "scope_label": scope_label(data),
        "one_minus_reduction": Decimal(1) - data.reduction,
        "departments": list(enumerate(data.departments, start=1)),
        "narrative": narrative.paragraphs(data),
    })


def metadata(data: figures.ReportData, meta: Meta) -> dict:
    """What verify_report needs to recompute the fingerprint."""
    return {
        "system": pdf.SYSTEM, "year": data.year, "reduction": f"{data.reduction:.2f}",
        "department": data.department.code if data.department else None,
        "number": meta.number, "version": meta.version, "fingerprint": data.fingerprint,
        "data_as_of": data.data_as_of.isoformat(),
    }


def generate(*, year: int, department=None, reduction=DEFAULT_REDUCTION, meta: Meta | None = None,
             progress=None) -> Made:
    """The report as PDF bytes, its page count, its figures and their JSON twin.
    `progress(percent, step)` is told along the way.

    Always in Chinese: it is an official document, whatever language the
    person who asked for it reads the site in.
    """
    progress = progress or (lambda percent, step: None)
    meta = meta or Meta()
    with translation.override("zh-hans"):
        pdf.check_fonts()
        progress(2, "读取台账与审核记录")
        data = figures.collect(year=year, department=department, reduction=reduction)
        progress(15, "绘制图表")
        for scope in data.departments:
            scope.chart = quota_chart(scope.months, kinds=scope.shown)
        progress(25, "排版 PDF")
        document = pdf.render_pdf(report_html(data, meta), static_roots())
        progress(95, "写入报告标识")
        document = pdf.with_metadata(document, metadata(data, meta))
    return Made(pdf=document, pages=pdf.page_count(document), data=data, summary=summary(data))
