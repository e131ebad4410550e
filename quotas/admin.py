from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Department, Holiday, LedgerEntry, MeetingCostRate, MeetingFreeRule, MonthlyQuota, Quota, User
from .read_only_admin import ReadOnlyAdmin

admin.site.site_header = _("减负闸 · 系统管理")
admin.site.site_title = _("减负闸")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "issues_proposals"]
    list_filter = ["level", "issues_proposals"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "department", "is_active"]
    list_filter = ["groups", "department", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("所属部门"), {"fields": ["department"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("所属部门"), {"fields": ["department"]}),)


class MonthlyQuotaInline(admin.TabularInline):
    """A quota's monthly caps, to read: they are set with `manage.py set_quota --monthly-cap`."""

    model = MonthlyQuota
    fields = readonly_fields = ["month", "cap", "reserved", "committed", "overridden"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """Caps are set here through the service; counters move only with proposals."""

    inlines = [MonthlyQuotaInline]

    list_display = [
        "department", "year", "kind", "cap", "reserved", "committed", "overridden",
        "remaining", "breaker_state_display",
    ]
    list_filter = ["year", "kind", "department"]
    readonly_fields = ["reserved", "committed", "overridden"]
    fields = ["department", "year", "kind", "cap", "warning_ratio"] + readonly_fields

    @admin.display(description=_("熔断状态"))
    def breaker_state_display(self, obj):
        return obj.get_breaker_state_display()

    @admin.display(description=_("剩余"))
    def remaining(self, obj):
        return obj.remaining

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["department", "year", "kind"] + self.readonly_fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            services.quota_set_cap(
                department=obj.department, year=obj.year, kind=obj.kind, cap=obj.cap,
                warning_ratio=obj.warning_ratio, by=request.user,
            )
        except services.QuotaError as error:
            messages.error(request, str(error))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """台账 is append-only: readable here, never added, changed or deleted."""

    list_display = [
        "id", "created_at", "quota", "month", "action", "actor", "source_type", "source_id",
        "reserved_after", "committed_after", "overridden_after", "cap_after",
    ]
    list_filter = ["action", "quota__year", "quota__kind", "quota__department"]
    search_fields = ["note"]


@admin.register(MeetingFreeRule)
class MeetingFreeRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "rule_type", "weekday", "week_of_month", "start_date", "end_date", "active"]
    list_filter = ["rule_type", "active"]


@admin.register(MeetingCostRate)
class MeetingCostRateAdmin(admin.ModelAdmin):
    list_display = ["meeting_class", "rate"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "working_day"]
    list_filter = ["working_day"]
    date_hierarchy = "date"
