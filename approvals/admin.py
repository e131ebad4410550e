"""Read-only admin pages: proposals move only through the flow and its services,
and the audit trail is append-only. (No django-fsm admin mixin: it would run
any transition named in a crafted POST.)"""

from django.contrib import admin

from quotas.read_only_admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import Proposal, ProposalEvent


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
