from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from skillreg.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Read-only: uploads are recorded by ``file_store`` and audited, never edited."""

    list_display = ("original_name", "kind", "size", "uploaded_by", "uploaded_at", "sha256")
    list_filter = ("kind",)
    search_fields = ("original_name", "sha256", "public_id")
    readonly_fields = [f.name for f in StoredFile._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StoredFile | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StoredFile | None = None) -> bool:
        return False
