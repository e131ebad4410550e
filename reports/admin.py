from django.contrib import admin

from quotas.read_only_admin import ReadOnlyAdminMixin

from .models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: reports are made by reports.services, never edited by hand."""

    list_display = ["id", "number", "version", "year", "department", "status", "provisional", "pages",
                    "requested_by", "created_at"]
    list_filter = ["status", "year"]
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "pdf"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")
