"""/api/v1/plans/: a department's annual plan (年度计划) for a year with its items."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from approvals import plans, policy
from approvals.models import Plan, PlanItem
from quotas.limits import TEXT_MAX_CHARS
from quotas.models import Kind
from quotas.validators import MAX_YEAR, MIN_YEAR

from .views import errors, validated


class PlanItemSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    month = serializers.IntegerField(min_value=1, max_value=12)
    title = serializers.CharField(max_length=200)

    class Meta:
        model = PlanItem
        fields = ["id", "kind", "month", "title"]
        read_only_fields = ["id"]


class PlanSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    items = PlanItemSerializer(many=True, read_only=True)
    proposed_caps = serializers.SerializerMethodField(help_text="每类事项的计划数（不超过按压减比例算出的上限）。")

    class Meta:
        model = Plan
        fields = ["id", "department", "year", "state", "items", "proposed_caps", "submitted_at", "decided_at"]
        read_only_fields = fields

    def get_proposed_caps(self, plan) -> dict:
        return plans.proposed_caps(plan)


class PlanWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    items = PlanItemSerializer(many=True)

    def validate_items(self, items):
        if len(items) > plans.MAX_ITEMS:
            raise serializers.ValidationError(f"年度计划事项不能超过 {plans.MAX_ITEMS} 项。")
        return items


class PlanDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "return"])
    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")


def _visible(user):
    return policy.visible_plans(user).prefetch_related("items")


@extend_schema_view(
    list=extend_schema(responses={200: PlanSerializer(many=True), **errors(404)}),
    create=extend_schema(request=PlanWriteSerializer, responses={201: PlanSerializer, **errors(400, 403, 409)}),
)
class PlanViewSet(viewsets.GenericViewSet):
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()
    lookup_value_regex = "[0-9]{1,18}"

    def get_object(self):
        try:
            return _visible(self.request.user).get(pk=self.kwargs["pk"])
        except Plan.DoesNotExist:
            raise Http404 from None

    def list(self, request):
        page = self.paginate_queryset(_visible(request.user).order_by("-year", "department__code"))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    def create(self, request):
        """File (or replace the items of) the caller's department's draft plan for a year."""
        data = validated(PlanWriteSerializer(data=request.data))
        plan = plans.plan_save(by=request.user, year=data["year"], items=[dict(i) for i in data["items"]])
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PlanSerializer, **errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """报送 within the year's window (409 plan_window_closed outside it)."""
        return Response(PlanSerializer(plans.plan_submit(plan=self.get_object(), by=request.user)).data)

    @extend_schema(request=PlanDecideSerializer, responses={200: PlanSerializer, **errors(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The review office approves (the counts become next year's caps) or returns."""
        data = validated(PlanDecideSerializer(data=request.data))
        return Response(PlanSerializer(plans.plan_decide(plan=self.get_object(), by=request.user, **data)).data)
