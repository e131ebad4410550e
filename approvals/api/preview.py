"""POST /api/v1/proposals/preview/ and /api/v1/proposals/{id}/preview/: what
submitting would do (approvals.preview), nothing written. The web form's live
preview answers with the same body (approvals.views.proposal_preview)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from approvals import assessment
from approvals.rules import describe_escalation
from quotas.models import BreakerState, Kind

from .serializers import ProposalWriteSerializer, SubmitSerializer


class PreviewRequestSerializer(ProposalWriteSerializer, SubmitSerializer):
    """A create body (or, for a stored draft, the changes not yet saved), plus
    how it would be submitted. Everything is optional but `kind` for new data:
    what is missing comes back as problems, not as a 400."""


class PreviewQuotaSerializer(serializers.Serializer):
    department = serializers.CharField()
    year = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    cap = serializers.IntegerField()
    used_after = serializers.IntegerField(help_text=gettext_lazy("本事项提交后已用名额（含经确认的明减暗增）。"))
    state_after = serializers.ChoiceField(choices=BreakerState.choices)


class PreviewProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class PreviewCostSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    formula = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    quota = PreviewQuotaSerializer(allow_null=True, help_text=gettext_lazy(
        "提交后本部门该年度该类总量的位置；尚无计划日期或未设置总量时为 null。"))
    escalation_reasons = serializers.ListField(child=serializers.CharField())
    problems = PreviewProblemSerializer(many=True, help_text=gettext_lazy("提交时会被拒绝的全部原因。"))
    estimated_cost = PreviewCostSerializer(allow_null=True, help_text=gettext_lazy("会议：预计成本及算法。"))
    next_free_day = serializers.DateField(allow_null=True, help_text=gettext_lazy(
        "所选日期是无会日时：之后第一个可以开会的工作日。"))


def preview_body(a: assessment.Assessment) -> dict:
    return {
        "quota": assessment.position(a),
        "escalation_reasons": [describe_escalation(reason) for reason in a.escalations],
        "problems": [{"field": p.field, "code": p.code, "message": str(p.message)} for p in a.problems],
        "estimated_cost": {"amount": f"{a.cost.amount:.2f}", "formula": a.cost.formula} if a.cost else None,
        "next_free_day": a.next_free_day.isoformat() if a.next_free_day else None,
    }


def required_kind(data: dict) -> None:
    if not data.get("kind"):
        raise serializers.ValidationError({"kind": [_("此项为必填项。")]})
