from django.contrib import admin

from skillreg.certificates.models import Certificate, CertificateSequence


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    # Masked in the list; the admin is not a place to browse ID numbers.
    list_display = ("number", "holder_name", "masked_id", "occupation", "level", "issuer_name", "issued_on",
                    "status")
    list_filter = ("status", "kind", "pack_id")
    search_fields = ("=number",)
    exclude = ("id_number",)
    readonly_fields = ("number", "kind", "institution", "issuer_name", "region_code", "pack_id", "holder_name",
                       "occupation", "level", "issued_on", "issued_at", "issued_by", "serial", "sequence_scope",
                       "sitting_ref", "status", "revoked_at", "revoked_by", "revoke_reason")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # issued only through certificates_issue (results approved, numbered, audited)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # revoked, never deleted (002 第二十六条)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CertificateSequence)
class CertificateSequenceAdmin(admin.ModelAdmin):
    list_display = ("scope", "last")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
