"""Read-mostly admin: state changes go through the services (and their audit events)."""

from django.contrib import admin

from skillreg.supervision import models


@admin.register(models.InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "authority", "year", "status", "created_at")
    list_filter = ("status", "year")
    readonly_fields = ("status", "body_draw", "bodies_drawn_at", "inspectors_drawn_at", "published_at")


@admin.register(models.Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("tracking_number", "institution", "status", "answer_due")
    list_filter = ("status",)
    readonly_fields = ("tracking_number", "secret_digest", "status", "answer_due", "answered_at")


@admin.register(models.BlacklistEntry)
class BlacklistEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "source", "listed_at", "lifted_at")
    search_fields = ("credit_code", "name")


@admin.register(models.AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("institution", "year", "kind", "due", "late", "submitted_at")
    list_filter = ("year", "kind", "late")
    readonly_fields = ("institution", "region_code", "year", "kind", "due", "due_source", "late", "source",
                       "submitted_by", "submitted_at")


for model in (models.Inspection, models.Evaluation, models.Rectification, models.TerminationProposal,
              models.ViolationRecord, models.InactivityFlag):
    admin.site.register(model)
