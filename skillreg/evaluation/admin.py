from django.contrib import admin

from skillreg.evaluation.models import Expert, ExpertConflict, ExpertScore, Panel, PanelMember


class ExpertConflictInline(admin.TabularInline):
    model = ExpertConflict
    extra = 0
    raw_id_fields = ["institution", "declared_by"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "employer", "authority", "region_code", "active"]
    list_filter = ["active", "authority"]
    search_fields = ["name", "employer", "employer_credit_code"]
    raw_id_fields = ["user", "added_by"]
    inlines = [ExpertConflictInline]


class PanelMemberInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    readonly_fields = ["expert", "status", "draw", "declined_at", "decline_reason"]
    can_delete = False


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    # Panels, members and scores are the decision record: read here, changed only by the services.
    list_display = ["public_id", "application", "size", "created_at", "concluded_at", "passed"]
    readonly_fields = [f.name for f in Panel._meta.fields]
    inlines = [PanelMemberInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ExpertScore)
class ExpertScoreAdmin(admin.ModelAdmin):
    list_display = ["member", "passed", "submitted_at"]
    readonly_fields = [f.name for f in ExpertScore._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
