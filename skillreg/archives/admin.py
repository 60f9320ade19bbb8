from django.contrib import admin

from skillreg.archives.models import ArchiveRecord, DestructionLedgerEntry, ScreeningRun


@admin.register(ScreeningRun)
class ScreeningRunAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "status", "sheet_count", "flagged_pair_count", "flagged_room_count",
                    "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "institution__name"]
    readonly_fields = [f.name for f in ScreeningRun._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "kind", "made_on", "retain_until", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "sitting", "institution__name"]
    # State changes go through the services (audit, rules); the admin only reads.
    readonly_fields = [f.name for f in ArchiveRecord._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(DestructionLedgerEntry)
class DestructionLedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "destroyed_on", "method", "witness", "destroyed_by"]
    readonly_fields = [f.name for f in DestructionLedgerEntry._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
