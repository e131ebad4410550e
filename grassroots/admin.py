"""Flags in the admin: read-only (they move only through grassroots.services),
and without who filed them unless the viewer is a superuser — administrators,
auditors and leaders read the admin too, and none of them may learn it."""

from django.contrib import admin

from quotas.read_only_admin import ReadOnlyAdmin

from .models import Flag

ANONYMOUS_FIELDS = ["id", "issuer", "channel", "kind", "received_on", "summary", "forms_demanded",
                    "materials_demanded", "attendees_demanded", "hours_demanded", "claimed_number",
                    "filed_at", "due_on", "state", "decided_by", "decided_at", "answer",
                    "matched_proposal", "quota"]
WHO_FILED = ["reporter", "unit"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_filter = ["state", "channel", "kind"]
    search_fields = ["summary", "claimed_number"]
    date_hierarchy = "received_on"

    def get_fields(self, request, obj=None):
        return ANONYMOUS_FIELDS + (WHO_FILED if request.user.is_superuser else [])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_list_display(self, request):
        shown = ["id", "issuer", "channel", "kind", "received_on", "state", "due_on"]
        return shown + (["unit", "reporter"] if request.user.is_superuser else [])

    def get_list_filter(self, request):
        # A filter by unit would list the units that filed against each issuer.
        return self.list_filter + (["unit"] if request.user.is_superuser else [])

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issuer", "unit", "reporter")


# --- 逆向考核, 监测点, 整改 -----------------------------------------------------------

from .models import (EvaluationWindow, MonitoringPoint, MonthlyLog, Rating,  # noqa: E402
                     Rectification, SurveyQuestion)


class SuperuserOnly(ReadOnlyAdmin):
    """Rows that, read one by one, could tell who rated what (a rating's scores and
    comment) or who filed a flag (a monitoring point's log names its unit and the
    flags it filed): administrators, auditors and leaders never see them here."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Rating)
class RatingAdmin(SuperuserOnly):
    # No rater_key: it is a pseudonym, of no use to a reader and one more thing to match.
    fields = list_display = ["id", "department", "year", "necessity", "effect", "burden", "formalism",
                             "comment", "released_text"]
    list_filter = ["year"]


@admin.register(MonthlyLog)
class MonthlyLogAdmin(SuperuserOnly):
    list_display = ["unit", "year", "month", "confirmed_at"]


@admin.register(EvaluationWindow)
class EvaluationWindowAdmin(ReadOnlyAdmin):
    list_display = ["year", "opens_at", "closes_at"]


@admin.register(MonitoringPoint)
class MonitoringPointAdmin(ReadOnlyAdmin):
    list_display = ["unit", "active", "designated_at"]


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "active"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "department", "state", "due_on", "opened_at"]
    list_filter = ["state"]
