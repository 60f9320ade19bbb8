from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from skillreg.accounts.scoping import get_scoped_or_404, scoped
from skillreg.registry.models import Application, Institution


def institutions_visible_to(user: Any) -> QuerySet[Institution]:
    return scoped(Institution.objects.select_related("authority"), user)


def institution_for(user: Any, public_id: Any) -> Institution:
    return get_scoped_or_404(Institution.objects.select_related("authority"), user, public_id=public_id)


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "institution", "authority", "reviewing_authority", "handled_by", "decided_by", "call",
    )


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Officials: their jurisdiction's applications (drafts stay the applicant's own);
    institution users: their institution's."""
    qs = scoped(_applications(), user, institution_field="institution_id")
    if getattr(user, "institution_id", None) is None:
        qs = qs.exclude(status=Application.Status.DRAFT)
    return qs


def application_for(user: Any, public_id: Any) -> Application:
    try:
        return applications_visible_to(user).get(public_id=public_id)
    except (Application.DoesNotExist, ValueError) as exc:
        from django.http import Http404

        raise Http404("未找到该申请") from exc
