from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports are made by reports.services, never edited by hand."""

    list_display = ["id", "year", "department", "status", "progress", "pages", "requested_by", "created_at"]
    list_filter = ["status", "year"]
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "pdf"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
