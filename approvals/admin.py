"""Read-only admin pages: proposals move only through the flow and its services,
and the audit trail is append-only. (No django-fsm admin mixin: it would run
any transition named in a crafted POST.)"""

from django.contrib import admin

from quotas.read_only_admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import Plan, PlanEvent, PlanItem, PlanWindow, Proposal, ProposalEvent


class ProposalEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProposalEvent
    extra = 0
    fields = ["at", "step", "action", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "kind", "department", "state", "hold", "planned_date", "created_at"]
    list_filter = ["kind", "state", "department", "emergency"]
    search_fields = ["title", "doc_number"]
    inlines = [ProposalEventInline]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "proposal", "at", "step", "action", "actor", "from_state", "to_state"]
    list_filter = ["step", "action"]


# viewflow registers admin pages for its Process and Task rows; deleting or
# editing them there moves the engine behind the services' back (issue 10,
# defect 7). Keep them readable for support, never writable.
from viewflow.workflow.models import Process, Task  # noqa: E402


class _EngineRowAdmin(ReadOnlyAdmin):
    list_display = ["id", "flow_class", "status", "created", "finished"]


class _EngineTaskAdmin(ReadOnlyAdmin):
    list_display = ["id", "flow_task", "status", "owner", "created", "finished"]


for model, model_admin in ((Process, _EngineRowAdmin), (Task, _EngineTaskAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(PlanWindow)
class PlanWindowAdmin(admin.ModelAdmin):
    """The administrator sets when departments file next year's plans."""

    list_display = ["year", "opens_on", "closes_on"]


class PlanItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ["kind", "month", "title"]
    readonly_fields = fields


class PlanEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanEvent
    extra = 0
    fields = ["at", "action", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["department", "year", "state", "submitted_at", "decided_at"]
    list_filter = ["year", "state"]
    inlines = [PlanItemInline, PlanEventInline]
