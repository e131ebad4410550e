"""The JSON API (/api/v1/): thin views over approvals.services.

Each view fetches through an access helper (a proposal the caller may not see
is a 404), validates the body with a serializer, makes one service call and
answers with the proposal as it now stands. Refusals are exceptions that
exceptions.api_exception_handler turns into {"code", "detail"} answers.
"""

import logging

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import selectors, services, todo
from approvals.errors import ProposalError
from approvals.policy import get_proposal_for_user
from approvals.preview import proposal_preview
from approvals.models import Proposal, ProposalEvent
from quotas.selectors import quota_list
from quotas.models import Department
from quotas.transactions import DATABASE_ERRORS

from . import serializers as s
from .exceptions import api_exception_handler
from .pagination import ProposalPages
from .preview import PreviewRequestSerializer, PreviewSerializer, preview_body, required_kind

ERROR_TEXT = {
    400: "invalid data (code: invalid, or the rule broken, e.g. meeting_free_day)",
    401: "no or bad credentials (code: not_authenticated / authentication_failed)",
    403: "not this caller's action (code: forbidden / permission_denied)",
    404: "no such proposal, not visible to the caller, or a page beyond the last (code: not_found)",
    409: "wrong state (invalid_transition), quota tripped (quota_exhausted), or busy",
    503: "the database timed out or went away before the commit: nothing was changed, retry "
         "(code: database_unavailable); or it failed during the commit: the change may stand, "
         "read the proposal again before retrying (code: outcome_unknown)",
}


logger = logging.getLogger(__name__)
MSG_READ_BACK_FAILED = gettext_noop("操作已生效，但读取最新详情失败，请稍后刷新。")


def errors(*statuses: int) -> dict:
    return {code: OpenApiResponse(s.ErrorSerializer, description=ERROR_TEXT[code])
            for code in (401, *statuses, 503)}


def _query(serializer_class, request) -> dict:
    # "?year=" is a blank, not an absent filter: refuse it as the schema says.
    blank = {name: [_("此项不能为空。")] for name in serializer_class().fields
             if request.query_params.get(name) == ""}
    if blank:
        raise ValidationError(blank)
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema(responses={200: s.DepartmentSerializer(many=True), **errors(404)})
class DepartmentList(generics.ListAPIView):
    serializer_class = s.DepartmentSerializer
    queryset = Department.objects.select_related("parent")


@extend_schema(parameters=[s.QuotaFilterSerializer],
               responses={200: s.QuotaListSerializer(many=True), **errors(400, 404)})
class QuotaList(generics.ListAPIView):
    """Clerks and heads see their own department's quotas; the others see all."""

    serializer_class = s.QuotaListSerializer

    def get_queryset(self):
        return quota_list(user=self.request.user, **_query(s.QuotaFilterSerializer, self.request))


# Built once per process: a ModelSerializer builds its ~45 fields from the model on
# every instantiation, which cost more than the submission it reports. Its fields
# hold no per-request state (no context is used), so one instance serves them all.
DETAIL = s.ProposalDetailSerializer()
SUMMARY_LIST = s.ProposalSerializer(many=True)
ACTION_RESULT = s.ActionResultSerializer()
SUBMISSION_FIELDS = tuple(s.SubmitSerializer._declared_fields)  # what ?submit=1 passes to the submission


def _answer(params: dict, proposal: Proposal, code=status.HTTP_200_OK) -> Response:
    """What a create or an action answers: {id, state, hold, quota} from the
    objects the service returned (no read-back: the full detail with its history
    cost more than the submission itself); the full detail on ?expand=detail."""
    if params.get("expand") == "detail":
        return _detail(proposal, code)
    return Response(ACTION_RESULT.to_representation(proposal), status=code)


def _detail(proposal: Proposal, code=status.HTTP_200_OK, *, changed=True) -> Response:
    """The proposal as it now stands. After a committed action a failure to read
    it back is still that action's success: answer with what the service returned."""
    try:
        return Response(DETAIL.to_representation(_read_back(proposal.pk)), status=code)
    except DATABASE_ERRORS as error:
        if not changed:
            raise
        logger.warning("read-back of proposal %s failed after its change: %s", proposal.pk, error)
        return Response({"id": proposal.pk, "state": proposal.state, "hold": proposal.hold,
                         "warning": _(MSG_READ_BACK_FAILED)}, status=code)


def _read_back(pk) -> Proposal:
    # One query for the proposal and its relations, one for the history with its actors.
    return (
        Proposal.objects.select_related("department", "created_by", "quota__department")
        .prefetch_related("co_departments", "units", "attachments",
                          Prefetch("events", queryset=ProposalEvent.objects.select_related("actor", "on_behalf_of")))
        .get(pk=pk)
    )


ACTION_ANSWERS = {200: s.ActionResultSerializer}
EXPAND = OpenApiParameter("expand", str, enum=["detail"], required=False,
                          description="detail：回答完整详情（含办理记录）。")


def _action_schema(request, *statuses):
    return extend_schema(request=request, parameters=[EXPAND],
                         responses={**ACTION_ANSWERS, **errors(*statuses)})


@extend_schema_view(
    list=extend_schema(parameters=[s.ProposalFilterSerializer],
                       responses={200: s.ProposalSerializer(many=True), **errors(400, 404)}),
    create=extend_schema(request=s.ProposalFileAndSubmitSerializer, parameters=[s.CreateQuerySerializer],
                         responses={201: s.ActionResultSerializer, 200: s.ActionResultSerializer,
                                    **errors(400, 403, 409)}),
    retrieve=extend_schema(responses={200: s.ProposalDetailSerializer, **errors(404)}),
    partial_update=_action_schema(s.ProposalWriteSerializer, 400, 403, 404, 409),
)
class ProposalViewSet(viewsets.GenericViewSet):
    """发文/会议申请: what approvals.policy.visible_proposals gives the caller."""

    serializer_class = s.ProposalSerializer
    queryset = Proposal.objects.none()  # the real one is visible_proposals(user)
    pagination_class = ProposalPages
    lookup_value_regex = "[0-9]+"

    # The actions that change a proposal and answer with _answer(); their query
    # (?expand=, ?submit=) is checked before anything is changed.
    CHANGING = {"create", "partial_update", "submit", "decide", "withdraw", "cancel", "complete"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action in self.CHANGING:
            query = s.CreateQuerySerializer if self.action == "create" else s.ActionQuerySerializer
            self.answer_params = _query(query, request)

    def get_object(self):
        pk = self.kwargs["pk"]
        if len(pk) > 18:  # beyond a bigint: no such row, and no overflow in the query
            raise Http404
        # A handle for the service (which re-reads under a lock) or for _detail
        # (which reads the relations it shows): no joins needed for the 404 check.
        return get_proposal_for_user(self.request.user, pk, related=False)

    def list(self, request):
        params = _query(s.ProposalFilterSerializer, request)
        proposals = selectors.proposal_list(user=request.user, **params)
        page = self.paginate_queryset(proposals.prefetch_related("co_departments", "units"))
        return self.get_paginated_response(SUMMARY_LIST.to_representation(page))

    def create(self, request):
        """起草; with ?submit=1 also 提交 in the same request (一次采集 for outside
        systems), answering as the submission would. The draft is committed first
        and kept when the submission is refused, so nothing typed is lost: the
        refusal carries its `id` and `state`."""
        if not self.answer_params["submit"]:
            data = validated(s.ProposalWriteSerializer(data=request.data))
            draft = services.proposal_create(by=request.user, **data)
            return _answer(self.answer_params, draft, status.HTTP_201_CREATED)
        data = validated(s.ProposalFileAndSubmitSerializer(data=request.data))
        submission = {name: data.pop(name) for name in SUBMISSION_FIELDS}
        draft = services.proposal_create(by=request.user, **data)
        try:
            submitted = services.proposal_submit(proposal=draft, by=request.user, **submission)
        except ProposalError as refused:
            response = api_exception_handler(refused, {"view": self})
            response.data.update(id=draft.pk, state=draft.state)
        else:
            response = _answer(self.answer_params, submitted)
        response["Location"] = reverse("api:proposal-detail", args=[draft.pk])
        return response

    def retrieve(self, request, pk=None):
        return _detail(self.get_object(), changed=False)

    def partial_update(self, request, pk=None):
        proposal = self.get_object()
        data = validated(s.ProposalWriteSerializer(proposal, data=request.data, partial=True))
        return _answer(self.answer_params, services.proposal_update(proposal=proposal, by=request.user, **data))

    @extend_schema(request={"multipart/form-data": s.AttachmentUploadSerializer},
                   responses={201: s.AttachmentSerializer, **errors(400, 403, 404, 409)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """正文 or 附件 of a draft or returned item, by a clerk of its department.
        The type is checked by content: a file that is not what its name says,
        or over the size limit, is a 400 with a code."""
        proposal = self.get_object()
        data = validated(s.AttachmentUploadSerializer(data=request.data))
        attachment = services.attachment_add(proposal=proposal, by=request.user, upload=data["file"],
                                             role=data["role"])
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PreviewRequestSerializer, responses={200: PreviewSerializer, **errors(400, 403)},
                   operation_id="proposals_preview_new")
    @action(detail=False, methods=["post"], url_path="preview")
    def preview_new(self, request):
        """What submitting this create body would do (quota position, 提级 reasons,
        every problem, cost, next meeting day); nothing is written."""
        data = validated(PreviewRequestSerializer(data=request.data, partial=True))
        required_kind(data)
        return Response(preview_body(proposal_preview(by=request.user, **data)))

    @extend_schema(request=PreviewRequestSerializer, responses={200: PreviewSerializer, **errors(400, 403, 404, 409)},
                   operation_id="proposals_preview")
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """The same for a stored draft, with the body's fields as changes not yet saved."""
        proposal = self.get_object()
        data = validated(PreviewRequestSerializer(proposal, data=request.data, partial=True))
        return Response(preview_body(proposal_preview(by=request.user, proposal=proposal, **data)))

    @_action_schema(s.SubmitSerializer, 400, 403, 404, 409)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交: reserves a slot of the quota of the proposal's year (409 quota_exhausted when tripped)."""
        proposal = self.get_object()
        data = validated(s.SubmitSerializer(data=request.data))
        return _answer(self.answer_params, services.proposal_submit(proposal=proposal, by=request.user, **data))

    @_action_schema(s.DecideSerializer, 400, 403, 404, 409)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The head, the review office or the leader decides the open review task."""
        proposal = self.get_object()
        data = validated(s.DecideSerializer(data=request.data))
        return _answer(self.answer_params, services.proposal_decide(proposal=proposal, by=request.user, **data))

    @_action_schema(s.CommentSerializer, 400, 403, 404, 409)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回 from any open state; the reserved slot is released."""
        proposal = self.get_object()
        data = validated(s.CommentSerializer(data=request.data))
        return _answer(self.answer_params, services.proposal_withdraw(proposal=proposal, by=request.user, **data))

    @_action_schema(s.CancelSerializer, 400, 403, 404, 409)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """An approved item that will not happen (a comment is required)."""
        proposal = self.get_object()
        data = validated(s.CancelSerializer(data=request.data))
        return _answer(self.answer_params, services.proposal_cancel(proposal=proposal, by=request.user, **data))

    @_action_schema(s.CompleteSerializer, 400, 403, 404, 409)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """办结: 文号 and issue date for documents; attendance (and cost) for meetings."""
        proposal = self.get_object()
        data = validated(s.CompleteSerializer(data=request.data))
        return _answer(self.answer_params, services.proposal_complete(proposal=proposal, by=request.user, **data))


@extend_schema(responses={200: s.TaskSerializer(many=True), **errors(404)})
class TaskList(generics.ListAPIView):
    """待办: what waits for the caller now, oldest first. An item is in exactly the
    to-do of those who may act on it now and leaves it once acted on."""

    serializer_class = s.TaskSerializer

    def get_queryset(self):
        return todo.waiting(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.TaskSerializer(todo.items(page), many=True).data)


def validated(serializer) -> dict:
    """The body's data, or the serializer's 400 (shared by the API's views)."""
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class NotFound(APIView):
    """Any other path under /api/v1/: a JSON 404 (not Django's HTML page, nor a slash redirect)."""

    authentication_classes = []
    permission_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise Http404

    def options(self, request, *args, **kwargs):
        raise Http404

