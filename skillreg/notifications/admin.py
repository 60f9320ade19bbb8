from __future__ import annotations

from django.contrib import admin

from skillreg.notifications.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "backend", "address", "attempted_at", "error")
    readonly_fields = ("channel", "status", "backend", "address", "attempted_at", "error")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: a notice sent is a record; correcting it means sending a new one."""

    list_display = ["subject", "recipient", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "recipient__username", "recipient__display_name"]
    readonly_fields = ["public_id", "recipient", "subject", "body", "link", "related_type",
                       "related_id", "dedupe_key", "created_at", "read_at"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
