"""Every API error is JSON: {"code": …, "detail": …} (+ "errors" per field, + "quota").

`code` is stable and meant for programs; `detail` is for people, in the
request's language. The handler is REST_FRAMEWORK["EXCEPTION_HANDLER"].
"""

import logging

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from approvals.services import ProposalError
from quotas.transactions import DATABASE_ERRORS, MSG_OUTCOME_UNKNOWN, MSG_UNAVAILABLE, OutcomeUnknown

from .serializers import QuotaSerializer

logger = logging.getLogger(__name__)

MSG_INVALID = gettext_noop("提交的数据有误，请按提示修改。")
MSG_BUSY = gettext_noop("该申请正在被其他人处理，请稍后重试。")
MSG_NOT_FOUND = gettext_noop("未找到。")
MSG_SERVER_ERROR = gettext_noop("服务器内部错误，请稍后重试。")


def _messages(detail) -> list[str]:
    """Flatten DRF's nested error detail (lists, dicts per index) into strings."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(field): _messages(value) for field, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _body(code: str, detail: str, errors: dict | None = None) -> dict:
    body = {"code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def _proposal_error(exc: ProposalError) -> Response:
    errors = {}
    for problem in exc.problems:
        errors.setdefault(problem.field, []).append(str(problem.message))
    body = _body(exc.code, str(exc), errors)
    if exc.quota is not None:
        body["quota"] = QuotaSerializer(exc.quota).data
    if getattr(exc, "month", None) is not None:
        body["month"] = exc.month.month  # a monthly cap inside `quota` refused
    return Response(body, status=exc.status)


def _retry_later(body) -> Response:
    response = Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = "5"
    return response


def api_exception_handler(exc, context):
    if isinstance(exc, ProposalError):
        return _proposal_error(exc)
    if isinstance(exc, FlowLockFailed):
        return Response(_body("busy", _(MSG_BUSY)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        # A model's full_clean() inside a service: same shape as a serializer's errors.
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(errors)
    if isinstance(exc, Http404):
        return Response(_body("not_found", _(MSG_NOT_FOUND)), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, SuspiciousOperation):  # e.g. too many fields in a request
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            _body("invalid", _(MSG_INVALID), _field_errors(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = exception_handler(exc, context)
    if response is not None:
        code = exc.get_codes()
        response.data = _body(code if isinstance(code, str) else exc.default_code, str(exc.detail))
        return response
    if isinstance(exc, OutcomeUnknown):
        # The connection failed in the commit: the change may stand. Say so.
        logger.warning("outcome unknown in API view %s: %s", context.get("view"), exc)
        return _retry_later(_body(OutcomeUnknown.code, _(MSG_OUTCOME_UNKNOWN)))
    if isinstance(exc, DATABASE_ERRORS):
        # Lock timeout or dropped connection before the commit: rolled back; say "retry".
        logger.warning("database unavailable in API view %s: %s", context.get("view"), exc)
        return _retry_later(_body("database_unavailable", _(MSG_UNAVAILABLE)))
    # A bug, not a refusal: keep the traceback in the log, answer in JSON all the same.
    logger.exception("Unhandled error in API view %s", context.get("view"))
    return Response(_body("server_error", _(MSG_SERVER_ERROR)),
                    status=status.HTTP_500_INTERNAL_SERVER_ERROR)
