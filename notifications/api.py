"""GET /api/v1/notifications/ (the caller's, newest first, paginated) and
POST /api/v1/notifications/{id}/read/."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Kind, Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    proposal = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "proposal", "message", "created_at", "read"]
        read_only_fields = fields

    def get_read(self, note) -> bool:
        return note.read_at is not None


def _errors(*statuses):
    from approvals.api.views import errors

    return errors(*statuses)


# Like every list: a page beyond the last is a 404 (the schema fuzzing found it undocumented).
@extend_schema_view(list=extend_schema(responses={200: NotificationSerializer(many=True), **_errors(404)}))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses={200: NotificationSerializer, **_errors(404)})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        services.mark_read(note=note, by=request.user)
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)
