from __future__ import annotations

import datetime as dt
from typing import Any

from skillreg.accounts.models import Role
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.exams.models import ExamPlan
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import Pack


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def pack_of(plan: ExamPlan) -> Pack:
    return get_pack(plan.pack_id)


def require_institution_user(actor: Any, institution_id: int) -> None:
    if getattr(actor, "role", None) != Role.INSTITUTION_USER or actor.institution_id != institution_id:
        raise DomainError("只有本考核机构的用户可以办理此事项", code="forbidden")


def require_centre(actor: Any, region_code: str) -> None:
    """The guidance centre (鉴定中心) whose jurisdiction covers the sitting; the administrator too."""
    if getattr(actor, "role", None) == Role.SYSADMIN:
        return
    if getattr(actor, "role", None) != Role.CENTRE_STAFF or actor.authority is None \
            or not actor.authority.covers(region_code):
        raise DomainError("只有属地职业技能鉴定（指导）中心人员可以办理此事项", code="forbidden")


def lock_plan(plan: ExamPlan) -> ExamPlan:
    return ExamPlan.objects.select_for_update().select_related("institution", "venue").get(pk=plan.pk)


def plan_snapshot(plan: ExamPlan) -> dict[str, Any]:
    return {"status": plan.status, "pass_mark": str(plan.pass_mark), "fee": str(plan.fee)}


def centre_recipients(region_code: str) -> list[Any]:
    """Active centre staff whose jurisdiction covers ``region_code``: who reviews a sitting there."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(role=Role.CENTRE_STAFF, is_active=True).select_related("authority")
    return [u for u in users if u.authority is not None and u.authority.covers(region_code)]
