from django.db.models import QuerySet

from skillreg.audit.models import AuditEvent


def timeline_for(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by("seq")
