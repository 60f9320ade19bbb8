"""Helpers shared by the supervision services: who may act, months on a date."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.http import Http404

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.core.errors import DomainError, IllegalTransition


class NotAllowed(DomainError):
    """The actor sees the object but their role may not do this."""

    status = 403

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message, code="forbidden", source=source)


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


def is_official(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.role == Role.SYSADMIN or user.role in OFFICIAL_ROLES))


def require_official_over(actor: Any, region_code: str) -> None:
    """An official whose jurisdiction covers ``region_code``; else 404 (invisible) or 403."""
    if actor is None or not actor.is_authenticated:
        raise Http404("未找到该对象")
    if actor.role == Role.SYSADMIN:
        return
    if actor.role not in OFFICIAL_ROLES or actor.authority is None:
        raise NotAllowed("只有备案部门的工作人员可以办理此事项")
    if not actor.authority.covers(region_code):
        raise Http404("未找到该对象")


def require_approving_over(actor: Any, region_code: str) -> None:
    require_official_over(actor, region_code)
    if actor.role not in (Role.APPROVING_OFFICIAL, Role.SYSADMIN):
        raise NotAllowed("终止（取消）备案由审批人员决定")


def check_move(obj: Any, target: str) -> None:
    allowed = type(obj).TRANSITIONS.get(obj.status, set())
    if target not in allowed:
        current = obj.get_status_display()
        wanted = dict(type(obj).Status.choices).get(target, target)
        raise IllegalTransition(f"当前状态为“{current}”，不能变为“{wanted}”")


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def local_date(at: dt.datetime) -> dt.date:
    from skillreg.core import clock

    return at.astimezone(clock.LOCAL_TZ).date()
