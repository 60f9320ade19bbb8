from django.contrib import admin

from skillreg.exams.models import (
    Assessor,
    AssessorCertificate,
    ExamApplication,
    ExamPlan,
    RosterImport,
    RosterReview,
    TrainingRoster,
    Venue,
)


class CertificateInline(admin.TabularInline):
    model = AssessorCertificate
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Assessor)
class AssessorAdmin(admin.ModelAdmin):
    # Read-only: the pool is kept on its page (/exams/assessors/) through the audited services.
    list_display = ("name", "masked_id", "region_code", "employer_name", "active")
    search_fields = ("name", "employer_name")
    exclude = ("id_number",)
    readonly_fields = ("masked_id",)
    inlines = [CertificateInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ExamPlan)
class ExamPlanAdmin(admin.ModelAdmin):
    # Read-only: every change goes through the services, which check the rules and audit.
    list_display = ("title", "institution", "scope_name", "exam_start", "status")
    list_filter = ("status", "pack_id")
    search_fields = ("title", "institution__name")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "kind", "status")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


for model in (ExamApplication, RosterReview, RosterImport, TrainingRoster):
    admin.site.register(model)
