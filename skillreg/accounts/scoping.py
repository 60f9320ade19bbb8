"""Who may see what: one place that every selector, view and API handler goes through.

An official sees only the objects of their authority's jurisdiction; an institution user only
their own institution's; the system administrator everything. Anything else is invisible,
and invisible means 404, never a 403 that would confirm the object exists.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.core.logging import security_event

M = TypeVar("M", bound=Model)


def jurisdiction_q(user: Any, *, region_field: str = "region_code",
                   institution_field: str | None = "pk") -> Q:
    """A filter on a queryset of objects that carry a region code (and an institution).

    ``institution_field`` is the path from the object to its institution's pk; for the
    Institution model itself that is ``pk``.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.SYSADMIN:
        return Q()
    if user.role in OFFICIAL_ROLES and user.authority_id:
        return Q(**{f"{region_field}__startswith": user.authority.jurisdiction_prefix})
    if user.role == Role.INSTITUTION_USER and user.institution_id and institution_field:
        return Q(**{institution_field: user.institution_id})
    return Q(pk__in=[])


def scoped(qs: QuerySet[M], user: Any, **fields: Any) -> QuerySet[M]:
    return qs.filter(jurisdiction_q(user, **fields))


def get_scoped_or_404(qs: QuerySet[M], user: Any, *, scope: dict[str, Any] | None = None,
                      **lookup: Any) -> M:
    try:
        return scoped(qs, user, **(scope or {})).get(**lookup)
    except qs.model.DoesNotExist as exc:
        # Outside the user's jurisdiction looks exactly like absent (404), but the security
        # log tells the two apart: an object that exists was refused to this user.
        if user is not None and getattr(user, "is_authenticated", False) and qs.filter(**lookup).exists():
            security_event("scope_refused", level=logging.WARNING, model=qs.model._meta.label_lower,
                           lookup={k: str(v)[:64] for k, v in lookup.items()},
                           username=user.get_username(), role=getattr(user, "role", ""))
        raise Http404("未找到该对象") from exc
    except (ValueError, ValidationError) as exc:
        raise Http404("未找到该对象") from exc
