"""The JSON API of the receiving end: the public registry look-up and flags.

GET /api/v1/registry/{number}/ needs no credentials and is throttled per client
address; it answers only about items that went through the gate. Flags follow
grassroots.policy: the reporter field is null for anyone who may not know it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.api.parsers import StrictJSONParser
from approvals.errors import SubmissionRefused
from approvals.api.serializers import DepartmentCodeField, ErrorSerializer
from approvals.models import Proposal
from approvals.registry import registered_item
from quotas.limits import TEXT_MAX_CHARS
from quotas.models import Kind, Level
from quotas.validators import validate_year

from . import policy, selectors, services
from .models import SUMMARY_MAX_CHARS, Channel, Decision, Flag, FlagState
from .throttles import RegistryLookupThrottle

MSG_NOT_REGISTERED = gettext_noop("未备案：没有这个减负备案号。未经备案的发文、会议，基层可以不予执行，并可反映线索。")


def _error(description, *codes):
    return {code: OpenApiResponse(ErrorSerializer, description=description) for code in codes}


# --- the public registry look-up ---------------------------------------------

class RegistryItemSerializer(serializers.Serializer):
    number = serializers.CharField(source="registry_number")
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    planned_date = serializers.DateField(source="planned_day")
    target_levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices))
    state = serializers.CharField(help_text="approved / completed / cancelled (no longer owed)")


def registry_item_data(item: Proposal) -> dict:
    return RegistryItemSerializer(item).data


@extend_schema(responses={200: RegistryItemSerializer,
                          **_error("not_registered: no item carries this number", 404),
                          **_error("throttled: too many look-ups from this address", 429),
                          **_error("the database was unavailable: retry", 503)})
class RegistryLookup(APIView):
    """减负备案号 look-up: public, no credentials, throttled per client address."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [RegistryLookupThrottle]

    def get(self, request, number):
        item = registered_item(number)
        if item is None:
            return Response({"code": "not_registered", "detail": _(MSG_NOT_REGISTERED)},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(registry_item_data(item))


# --- flags ----------------------------------------------------------------------

class FlagSerializer(serializers.ModelSerializer):
    """A flag as the caller may see it: `reporter` and `unit` are null unless the
    caller is the review office or filed it (context["user"])."""

    issuer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reporter = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    matched_proposal = serializers.PrimaryKeyRelatedField(read_only=True)
    matched_number = serializers.CharField(source="matched_proposal.registry_number", default=None,
                                           read_only=True)
    evidence = serializers.SerializerMethodField(
        help_text="evidence file names; empty for callers who may not know who filed (see evidence_count)")
    evidence_count = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = ["id", "state", "issuer", "channel", "kind", "received_on", "summary",
                  "forms_demanded", "materials_demanded", "attendees_demanded", "hours_demanded",
                  "claimed_number", "filed_at", "due_on", "decided_at", "answer",
                  "matched_proposal", "matched_number", "reporter", "unit", "evidence", "evidence_count"]
        read_only_fields = fields

    def _sees(self, flag) -> bool:
        return policy.sees_reporter(self.context["user"], flag)

    def get_reporter(self, flag) -> str | None:
        return flag.reporter.username if self._sees(flag) else None

    def get_unit(self, flag) -> str | None:
        return flag.unit.code if self._sees(flag) else None

    def get_evidence(self, flag) -> list[str]:
        # File names (and files) may name a person: the issuer sees only how many there are.
        return [e.name for e in flag.evidence.all()] if self._sees(flag) else []

    def get_evidence_count(self, flag) -> int:
        return len(flag.evidence.all())


class FlagWriteSerializer(serializers.Serializer):
    issuer = DepartmentCodeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    received_on = serializers.DateField(validators=[validate_year])
    summary = serializers.CharField(max_length=SUMMARY_MAX_CHARS)
    claimed_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    forms_demanded = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    materials_demanded = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    attendees_demanded = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)
    hours_demanded = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                     help_text="multipart/form-data only: evidence files")


class TriageSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True, default="")
    proposal = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True,
                                        help_text="match: the registered item's id")


class FlagFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=FlagState.choices, required=False)
    issuer = serializers.CharField(max_length=32, required=False)
    year = serializers.IntegerField(min_value=1900, max_value=2999, required=False)


ERRORS = {
    400: "invalid data (code: invalid, or the rule broken, e.g. file_type_mismatch, comment_required)",
    401: "no or bad credentials",
    403: "not this caller's action (code: forbidden)",
    404: "no such flag, not visible to the caller, or a page beyond the last (code: not_found)",
    409: "already decided (flag_already_decided), or no quota to charge (quota_missing), or busy",
    503: "the database was unavailable: retry (database_unavailable / outcome_unknown)",
}


def errors(*codes):
    return {code: OpenApiResponse(ErrorSerializer, description=ERRORS[code]) for code in (401, *codes, 503)}


@extend_schema_view(
    list=extend_schema(parameters=[FlagFilterSerializer],
                       responses={200: FlagSerializer(many=True), **errors(400, 404)}),
    create=extend_schema(request=FlagWriteSerializer,
                         responses={201: FlagSerializer, **errors(400, 403)}),
    retrieve=extend_schema(responses={200: FlagSerializer, **errors(404)}),
)
class FlagViewSet(viewsets.GenericViewSet):
    """明减暗增线索: what grassroots.policy.visible_flags gives the caller."""

    serializer_class = FlagSerializer
    queryset = Flag.objects.none()
    lookup_value_regex = "[0-9]{1,18}"
    parser_classes = [StrictJSONParser, MultiPartParser]

    def _out(self, flag, code=status.HTTP_200_OK):
        return Response(FlagSerializer(flag, context={"user": self.request.user}).data, status=code)

    def list(self, request):
        params = FlagFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        flags = selectors.flag_list(user=request.user, **params.validated_data)
        page = self.paginate_queryset(flags.prefetch_related("evidence"))
        data = FlagSerializer(page, many=True, context={"user": request.user}).data
        return self.get_paginated_response(data)

    def create(self, request):
        policy.require_file(request.user)  # 403 before the body is even looked at
        data = FlagWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        flag = services.flag_file(by=request.user, issuer=fields.pop("issuer"),
                                  evidence=fields.pop("evidence"), **fields)
        return self._out(flag, status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return self._out(policy.get_flag_for_user(request.user, pk))

    @extend_schema(request=TriageSerializer,
                   responses={200: FlagSerializer, **errors(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """The review office: confirm (charged to the issuer's quota), dismiss (with a
        reason) or match (to a registered item). Deciding twice → 409."""
        flag = policy.get_flag_for_user(request.user, pk)
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        proposal_id = fields.pop("proposal", None)
        proposal = None
        if proposal_id is not None:
            proposal = Proposal.objects.filter(pk=proposal_id).first()
            if proposal is None:
                raise SubmissionRefused(_(services.MSG_MATCH_WRONG_ITEM), code="invalid")
        return self._out(services.flag_triage(flag=flag, by=request.user, proposal=proposal, **fields))
