from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from skillreg.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notification_count`` for the page header; counted only if a template uses it."""
    user = getattr(request, "user", None)
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(user))}
