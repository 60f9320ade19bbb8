from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, F, IntegerField, QuerySet, Value, When

from skillreg.accounts.scoping import get_scoped_or_404, scoped
from skillreg.registry.models import Application, Institution

S = Application.Status
# The clock that runs against each open status: the due date the worklist sorts and counts by.
CLOCK_STATUSES = {
    S.SUBMITTED: "material_check_due",
    S.SUPPLEMENT_REQUESTED: "supplement_notice__due",
    S.ACCEPTED: "completion_due", S.EVALUATING: "completion_due", S.EVALUATED: "completion_due",
}


def with_running_clock(qs: QuerySet[Application], today: dt.date) -> QuerySet[Application]:
    """Annotate ``clock_due`` (the running clock's due date) and ``clock_overdue`` (1 when it has
    passed), so that the database can sort and count overdue applications across all pages."""
    due = Case(*(When(status=status, then=F(field)) for status, field in CLOCK_STATUSES.items()),
               default=Value(None), output_field=DateField())
    return qs.annotate(clock_due=due).annotate(
        clock_overdue=Case(When(clock_due__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()))


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
