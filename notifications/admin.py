from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "proposal", "read_at", "emailed_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]
