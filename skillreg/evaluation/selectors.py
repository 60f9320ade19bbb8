"""Reads for the evaluation pages and API, each scoped to who may see it (else 404).

Officials reach a panel through the application (``registry.selectors.application_for``,
jurisdiction-scoped). An expert reaches only the applications they were drawn for, through
their own panel membership; any other application is a 404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.draws.models import Draw
from skillreg.evaluation.models import Expert, Panel, PanelMember
from skillreg.registry.models import Application
from skillreg.registry.selectors import application_for


def _members() -> QuerySet[PanelMember]:
    return PanelMember.objects.select_related(
        "expert", "draw", "panel", "panel__application", "panel__application__institution", "score",
    )


def assignments_for(user: Any) -> QuerySet[PanelMember]:
    """The expert's own panel memberships, newest first."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.EXPERT:
        return PanelMember.objects.none()
    return _members().filter(expert__user=user).order_by("-panel__created_at")


def membership_for(user: Any, application_id: uuid.UUID) -> PanelMember:
    """The expert's membership on the application's latest panel they were drawn for; else 404."""
    member = assignments_for(user).filter(panel__application__public_id=application_id).first()
    if member is None:
        raise Http404("未找到该申请")
    return member


def panels_of(application: Application) -> QuerySet[Panel]:
    return Panel.objects.filter(application=application).select_related("draw", "created_by", "concluded_by")


def current_panel(application: Application) -> Panel | None:
    return panels_of(application).order_by("-created_at", "-pk").first()


def panel_members(panel: Panel) -> QuerySet[PanelMember]:
    return panel.members.select_related("expert", "draw", "score").prefetch_related("score__photos__file")


def draws_of(panel: Panel) -> list[Draw]:
    """The initial draw and every replacement draw, in order."""
    ids = {panel.draw_id, *panel.members.values_list("draw_id", flat=True)}
    return list(Draw.objects.filter(pk__in=ids).order_by("drawn_at", "pk"))


def official_application(user: Any, public_id: uuid.UUID) -> Application:
    """The application for an official (jurisdiction-scoped); experts and others get 404."""
    if not getattr(user, "is_authenticated", False) or (
            user.role not in OFFICIAL_ROLES and user.role != Role.SYSADMIN):
        raise Http404("未找到该申请")
    return application_for(user, public_id)


def pool_of(user: Any) -> QuerySet[Expert]:
    """The expert pool an official manages: their own authority's."""
    if not getattr(user, "is_authenticated", False):
        return Expert.objects.none()
    if user.role == Role.SYSADMIN:
        return Expert.objects.select_related("authority", "user")
    if user.role in OFFICIAL_ROLES and user.authority_id:
        return Expert.objects.filter(authority_id=user.authority_id).select_related("authority", "user")
    return Expert.objects.none()


def expert_for(user: Any, public_id: uuid.UUID) -> Expert:
    try:
        return pool_of(user).get(public_id=public_id)
    except (Expert.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该专家") from exc


def member_on(panel: Panel, public_id: uuid.UUID) -> PanelMember:
    try:
        return panel.members.select_related("expert").get(public_id=public_id)
    except (PanelMember.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该专家组成员") from exc
