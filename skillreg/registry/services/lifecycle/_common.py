"""Helpers shared by the lifecycle services: locks, moves, permissions, republishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.urls import reverse

from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition
from skillreg.notifications.services import notify, recipients_for_authority, recipients_for_institution
from skillreg.registry.directory import publish
from skillreg.registry.models import (
    Filing,
    Institution,
)

IS = Institution.Status
# Statuses in which an institution is in the active directory and may work.
LISTED = frozenset({IS.FILED, IS.SUSPENDED})
OFFICIALS = (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL, Role.CENTRE_STAFF)

# Issue 4 (the product's rule, not a document's): reminders 90 and 30 days before the end.
REMINDER_DAYS = (90, 30)


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _require_institution_user(actor: User, institution: Institution) -> None:
    if actor.role != Role.INSTITUTION_USER or actor.institution_id != institution.pk:
        raise DomainError("只有本机构的用户可以办理此事项", code="forbidden")


def _require_official_of(actor: User, authority: Authority, *roles: Role) -> None:
    allowed = roles or OFFICIALS
    if actor.role not in allowed or actor.authority_id is None:
        raise DomainError("此事项须由" + "、".join(r.label for r in allowed) + "办理", code="forbidden")
    if actor.authority_id != authority.pk:
        raise DomainError(f"此事项由{authority.name}办理", code="forbidden")


def _require_covering_official(actor: User, institution: Institution, *roles: Role) -> None:
    allowed = roles or OFFICIALS
    if actor.role not in allowed or actor.authority is None:
        raise DomainError("此事项须由" + "、".join(r.label for r in allowed) + "办理", code="forbidden")
    if not actor.authority.covers(institution.region_code):
        raise DomainError("该机构不在您所在部门的管辖范围内", code="forbidden")


def _lock(obj: Model, move: str) -> Any:
    """Reload under SELECT ... FOR UPDATE and check the move against the model's table."""
    model: Any = type(obj)
    fresh = model.objects.select_for_update().get(pk=obj.pk)
    allowed, _, label = model.TRANSITIONS[move]
    if fresh.status not in allowed:
        raise IllegalTransition(
            f"当前状态为“{fresh.get_status_display()}”，不能{label}（可能已由他人办理，请刷新页面）")
    return fresh


def _move(obj: Any, move: str, **fields: Any) -> list[str]:
    obj.status = type(obj).TRANSITIONS[move][1]
    for key, value in fields.items():
        setattr(obj, key, value)
    return ["status", *fields]


def _lock_institution(institution: Institution) -> Institution:
    return Institution.objects.select_for_update().select_related("authority").get(pk=institution.pk)


def _link(institution: Institution) -> str:
    return reverse("registry:lifecycle_institution", args=[institution.public_id])


def last_filing(institution: Institution) -> Filing | None:
    return (Filing.objects.filter(institution=institution).select_related("application__authority")
            .order_by("-filed_at", "-pk").first())


def filing_authority(institution: Institution) -> Authority:
    """The authority that filed the institution (原备案部门): the last filed application's."""
    filing = last_filing(institution)
    if filing is not None and filing.application.authority is not None:
        return filing.application.authority
    return institution.authority


def republish(*, institution: Institution, actor: Any, at: dt.datetime) -> None:
    """A new directory version from the institution as it now is; active while it may work."""
    publish(institution=institution, actor=actor, at=at, active=institution.status in LISTED)


def _notify_both(institution: Institution, *, subject: str, body: str, at: dt.datetime,
                 related: Model | None = None, dedupe_key: str = "",
                 authorities: tuple[Authority, ...] = ()) -> None:
    recipients = list(recipients_for_institution(institution))
    for authority in dict.fromkeys(authorities):
        recipients += list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject=subject, body=body, link=_link(institution),
               related=related or institution, at=at, dedupe_key=dedupe_key)
