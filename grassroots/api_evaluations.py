"""The JSON API of 逆向考核.

POST /api/v1/evaluations/ — a reporter's unit rates a department (201; again in
the window replaces it; 409 outside the window; 400 for a department that sent
the unit nothing). GET /api/v1/evaluations/summary/?year= — the published
figures, per department and dimension, only where at least the threshold of
units rated; never a rater.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.api.parsers import StrictJSONParser
from approvals.api.serializers import DepartmentCodeField, ErrorSerializer
from quotas.access import visible_departments
from quotas.validators import MAX_YEAR, MIN_YEAR

from . import evaluations, policy, selectors
from .models import SUMMARY_MAX_CHARS


def _errors(**described):
    return {int(code[1:]): OpenApiResponse(ErrorSerializer, description=text) for code, text in described.items()}


class ScoresSerializer(serializers.Serializer):
    necessity = serializers.IntegerField(min_value=1, max_value=5)
    effect = serializers.IntegerField(min_value=1, max_value=5)
    burden = serializers.IntegerField(min_value=1, max_value=5, help_text="5 = a very light burden")
    formalism = serializers.IntegerField(min_value=1, max_value=5, help_text="5 = no formalism at all")


class RatingWriteSerializer(serializers.Serializer):
    department = DepartmentCodeField()
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    scores = ScoresSerializer()
    comment = serializers.CharField(max_length=SUMMARY_MAX_CHARS, required=False, allow_blank=True, default="")


class RatingSerializer(serializers.Serializer):
    """The caller's own rating, as stored (no unit, no rater: the caller knows)."""

    department = serializers.CharField(source="department.code")
    year = serializers.IntegerField()
    scores = serializers.SerializerMethodField()
    comment = serializers.CharField()

    def get_scores(self, rating) -> ScoresSerializer:
        return {name: getattr(rating, name) for name in evaluations.SCORES}


class Evaluations(APIView):
    """逆向考核: the caller's unit rates a department that sent it burden."""

    parser_classes = [StrictJSONParser]

    @extend_schema(request=RatingWriteSerializer, responses={
        201: RatingSerializer, **_errors(
            _400="invalid data, or not_rateable: the department sent the unit nothing that year",
            _401="no or bad credentials", _403="not a grassroots reporter (forbidden)",
            _409="window_closed: outside the year's rating window",
            _503="the database was unavailable: retry")})
    def post(self, request):
        policy.require_file(request.user)
        data = RatingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        rating, _created = evaluations.rating_submit(
            by=request.user, department=fields["department"], year=fields["year"],
            scores=fields["scores"], comment=fields["comment"])
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class SummaryQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2999)


class SummaryRowSerializer(serializers.Serializer):
    department = serializers.CharField()
    department_name = serializers.CharField()
    dimension = serializers.ChoiceField(choices=evaluations.Dimension.choices)
    responses = serializers.IntegerField()
    mean = serializers.FloatField()
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text='{"1": n, …, "5": n}')


class SummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    threshold = serializers.IntegerField(help_text="departments rated by fewer units are left out")
    published = serializers.BooleanField(help_text="false until the window has closed: no results yet")
    results = SummaryRowSerializer(many=True)


class EvaluationSummary(APIView):
    """Published results, for the departments the caller may see."""

    @extend_schema(parameters=[SummaryQuery], responses={
        200: SummarySerializer, **_errors(_400="year missing or invalid", _401="no or bad credentials")})
    def get(self, request):
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        figures = selectors.evaluation_figures(year)
        rows = selectors.evaluation_rows(year, visible_departments(request.user))
        return Response({"year": year, "threshold": figures["threshold"], "published": figures["published"],
                         "results": rows})
