from django.contrib import admin

from skillreg.registry.models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region_code", "authority", "status"]
    list_filter = ["status", "pack_id"]
    search_fields = ["name", "credit_code"]
