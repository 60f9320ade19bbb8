from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.notifications.models import Delivery, Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's inbox, newest first, with each notice's delivery records."""
    return (
        Notification.objects.filter(recipient_id=user.pk)
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("channel")))
        .order_by("-created_at", "-id")
    )


def notification_for(user: Any, public_id: Any) -> Notification:
    """One of the user's own notifications; anyone else's does not exist for them (404)."""
    try:
        return Notification.objects.get(public_id=public_id, recipient_id=user.pk)
    except (Notification.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("未找到该通知") from exc


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def recipients_for_institution(institution: Any) -> QuerySet[Any]:
    """The institution's active users: who receives notices addressed to the institution."""
    return get_user_model().objects.filter(
        institution=institution, role=Role.INSTITUTION_USER, is_active=True,
    ).order_by("pk")


def recipients_for_authority(authority: Any, roles: Iterable[str] = OFFICIAL_ROLES) -> QuerySet[Any]:
    """The authority's active staff in ``roles`` (by default its officials and centre staff)."""
    return get_user_model().objects.filter(
        authority=authority, role__in=list(roles), is_active=True,
    ).order_by("pk")
