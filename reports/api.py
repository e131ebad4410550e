"""GET /api/v1/reports/{year}/summary/: the year-end report's figures as JSON, for
the review office, the leading group and auditors — the same figures, in the
same shape, as `compliance_report --json` (reports.summary); and
GET /api/v1/reports/{year}/plans/: its plan-vs-actual table (计划执行)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.api.views import errors
from quotas.validators import MAX_YEAR, MIN_YEAR

from . import figures
from .access import may_use_reports
from .summary import plan_summary, summary

MSG_ROLE = "只有减负办、领导小组和监督考核人员可以查看合规报告数据。"


class ReportSummary(APIView):
    @extend_schema(
        summary="年度合规报告数据（与 PDF 同一口径）",
        description=("{year, generated_at, data_as_of, provisional, fingerprint, departments: [{code, kind, cap, "
                     "used, overridden, last_year, target, passed, reasons}], totals: {document|meeting: "
                     "{cap, used, target, passed}}}；全部部门，默认压减比例。"),
        responses={200: OpenApiTypes.OBJECT, **errors(403, 404)},
    )
    def get(self, request, year: int):
        return Response(summary(_collect(request, year)))


class ReportPlans(APIView):
    @extend_schema(
        summary="年度计划执行情况（计划与实际，与 PDF 表3 同一口径）",
        description=("{year, plans: [{code, kind, has_plan, planned, actual, unplanned, not_carried_out}] | null}："
                     "每个部门每类的计划项数、批准事项数、其中计划外、未执行的计划项；"
                     "未实行计划管理的年度 plans 为 null。"),
        responses={200: OpenApiTypes.OBJECT, **errors(403, 404)},
    )
    def get(self, request, year: int):
        return Response(plan_summary(_collect(request, year)))


def _collect(request, year: int):
    if not may_use_reports(request.user):
        raise PermissionDenied(MSG_ROLE)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise NotFound()
    return figures.collect(year=year)
