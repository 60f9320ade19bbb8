from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from skillreg.accounts.models import Authority, User


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "region_code", "level", "kind", "parent"]
    list_filter = ["level", "kind"]


@admin.register(User)
class SkillregUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "authority", "institution", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("职责", {"fields": ("display_name", "role", "authority", "institution", "phone")}),
    )
