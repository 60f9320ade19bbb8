"""Reads for the lifecycle pages, scoped to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from skillreg.accounts.scoping import jurisdiction_q, scoped
from skillreg.registry.models import (
    BranchReport,
    CancellationRequest,
    ChangeFiling,
    InstitutionScope,
    ProjectRequest,
    StopOrder,
)
from skillreg.registry.services.lifecycle._common import LISTED, REMINDER_DAYS

# --- reads for the index page ---------------------------------------------------------------


def expiring_filings(qs: Any, *, today: dt.date, days: int = max(REMINDER_DAYS)) -> Any:
    """Listed institutions whose validity ends within ``days`` (or already passed, not yet swept)."""
    return (qs.filter(status__in=LISTED, valid_until__isnull=False,
                      valid_until__lte=today + dt.timedelta(days=days))
            .order_by("valid_until", "name"))


def suspended_scope(qs: Any) -> Any:
    return InstitutionScope.objects.filter(institution__in=qs, suspended_at__isnull=False).select_related("institution")


def changes_visible_to(user: Any) -> QuerySet[ChangeFiling]:
    return scoped(ChangeFiling.objects.select_related("institution", "authority", "document"), user,
                  institution_field="institution_id")


def branch_reports_visible_to(user: Any) -> QuerySet[BranchReport]:
    """The city a report was made to sees it, and so does the institution's home jurisdiction."""
    qs = BranchReport.objects.select_related("institution", "authority")
    return qs.filter(jurisdiction_q(user, institution_field="institution_id")
                     | jurisdiction_q(user, region_field="institution__region_code",
                                      institution_field="institution_id"))


def cancellations_visible_to(user: Any) -> QuerySet[CancellationRequest]:
    return scoped(CancellationRequest.objects.select_related("institution", "authority", "document"), user,
                  institution_field="institution_id")


def project_requests_visible_to(user: Any) -> QuerySet[ProjectRequest]:
    """Province officials see their province's requests; an institution its own."""
    return scoped(ProjectRequest.objects.select_related("institution", "project", "specification"), user,
                  institution_field="institution_id")


def stop_orders_visible_to(user: Any) -> QuerySet[StopOrder]:
    return scoped(StopOrder.objects.select_related("authority"), user, institution_field=None)


def one_of(qs: QuerySet[Any], public_id: Any) -> Any:
    """One object by public id from a scoped queryset; outside it (or malformed) is a 404."""
    try:
        return qs.get(public_id=public_id)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("未找到该对象") from exc
