"""The JSON API of 监测点: GET /api/v1/monitoring/{unit}/{year}-{month}/ — a
monitoring point's pre-filled log (its reporter and the review office); POST the
same — its reporter confirms it, each addition becoming a flag."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.api.parsers import StrictJSONParser
from approvals.api.serializers import DepartmentCodeField
from quotas.models import Kind
from quotas.validators import MAX_YEAR, MIN_YEAR, validate_year

from . import monitoring
from .api_evaluations import _errors
from .models import SUMMARY_MAX_CHARS, Channel, MonthlyLog, SurveyQuestion


class AdditionSerializer(serializers.Serializer):
    issuer = DepartmentCodeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    received_on = serializers.DateField(validators=[validate_year])
    summary = serializers.CharField(max_length=SUMMARY_MAX_CHARS)
    forms_demanded = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    materials_demanded = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    attendees_demanded = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)
    hours_demanded = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)


class ConfirmSerializer(serializers.Serializer):
    additions = AdditionSerializer(many=True, required=False, default=list,
                                   help_text="what came outside the gate: each becomes a flag")
    survey = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False,
                                   default=dict, help_text='{"question id": 1–5}')
    note = serializers.CharField(max_length=SUMMARY_MAX_CHARS, required=False, allow_blank=True, default="")


def log_data(unit, year, month) -> dict:
    log = MonthlyLog.objects.filter(unit=unit, year=year, month=month).first()
    data = {"unit": unit.code, "unit_name": unit.name, "year": year, "month": month,
            **monitoring.prefilled_log(unit, year, month), "confirmed": log is not None,
            "confirmed_at": log.confirmed_at if log else None,
            "additions": sorted(log.flags.values_list("pk", flat=True)) if log else [],
            "survey": [{"id": q.pk, "question": q.text}
                       for q in SurveyQuestion.objects.filter(active=True)]}
    if log is not None:
        data["answers"] = {str(a.question_id): a.score for a in log.answers.all()}
    return data


class MonitoringLog(APIView):
    """A monitoring point's month: its reporter and the review office read it;
    its reporter confirms it (once, from the month's last day)."""

    parser_classes = [StrictJSONParser]

    def _unit(self, request, unit):
        point = monitoring.point_of(unit)
        # A unit that is no point, or one the caller may not read: the same 404.
        if point is None or not monitoring.may_read(request.user, point.unit):
            raise Http404("No such monitoring point")
        return point.unit

    def _month(self, year, month):
        if not 1 <= month <= 12:
            raise Http404("No such month")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404("No such month")
        return year, month

    @extend_schema(responses={200: OpenApiResponse(description="the pre-filled log"),
                              **_errors(_401="no or bad credentials",
                                        _404="not a monitoring point, or not the caller's")})
    def get(self, request, unit, year, month):
        unit = self._unit(request, unit)
        return Response(log_data(unit, *self._month(year, month)))

    @extend_schema(request=ConfirmSerializer, responses={
        201: OpenApiResponse(description="the confirmed log"), **_errors(
            _400="invalid data, an addition outside the month, or month_not_over",
            _401="no or bad credentials", _403="not this unit's reporter",
            _404="not a monitoring point, or not the caller's", _409="already_confirmed")})
    def post(self, request, unit, year, month):
        unit = self._unit(request, unit)
        year, month = self._month(year, month)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        monitoring.log_confirm(by=request.user, unit=unit, year=year, month=month,
                               additions=[dict(a) for a in fields["additions"]],
                               answers=fields["survey"], note=fields["note"])
        return Response(log_data(unit, year, month), status=status.HTTP_201_CREATED)
