"""Scope suspension (001 五(二)), cancellation (000 二(四), 001 四(三)) and stop orders (001 五(五))."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from skillreg.accounts.models import Role, User
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.services import notify, recipients_for_authority
from skillreg.policies.registry import all_packs, get_pack
from skillreg.policies.schema import Pack
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import (
    CancellationRequest,
    Institution,
    InstitutionScope,
    StopOrder,
)
from skillreg.registry.services.lifecycle._common import (
    IS,
    LISTED,
    _link,
    _lock,
    _lock_institution,
    _move,
    _notify_both,
    _require_covering_official,
    _require_institution_user,
    _require_official_of,
    filing_authority,
    republish,
)

# --- suspension of one scope row (001 五(二) 暂停) ---------------------------------------------


def suspension_source(pack: Pack) -> str:
    """The clause of the pack that provides for 暂停 (001 五(二)); empty where none does."""
    return next((f"{pack.seed} {ref}" for ref, text in pack.clauses.items() if "暂停" in text), "")


def scope_is_active(institution: Institution, name: str, level: int | None) -> bool:
    """Whether the institution may run exams for ``name`` at ``level`` now: filed, the row in
    its scope (``level`` None for a special project), and not suspended (001 五(二))."""
    if institution.status != IS.FILED:
        return False
    return InstitutionScope.objects.filter(institution=institution, name=name, level=level,
                                           suspended_at__isnull=True).exists()


@transaction.atomic
def scope_suspend(*, actor: User, scope: InstitutionScope, reason: str, at: dt.datetime,
                  source: str = "") -> InstitutionScope:
    institution = _lock_institution(scope.institution)
    _require_covering_official(actor, institution, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    if not reason.strip():
        raise InvalidInput("暂停须说明原因", field="reason")
    scope = InstitutionScope.objects.select_for_update().get(pk=scope.pk)
    if scope.suspended_at is not None:
        raise IllegalTransition("该职业（工种）/项目已暂停")
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能暂停", code="not_filed")
    scope.suspended_at = at
    scope.suspension_reason = reason.strip()
    scope.suspension_source = source.strip() or suspension_source(get_pack(institution.pack_id))
    scope.save(update_fields=["suspended_at", "suspension_reason", "suspension_source"])
    label = scope.name + (f"（{LEVELS[scope.level]}）" if scope.level else "")
    audit.record(actor=actor, action="institution.scope_suspended", obj=institution, at=at,
                 summary=f"暂停 {label}：{scope.suspension_reason}（{scope.suspension_source}）",
                 after={"scope": label, "reason": scope.suspension_reason, "source": scope.suspension_source})
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="暂停开展鉴定工作",
                 body=f"您单位的 {label} 已暂停开展考核鉴定工作。原因：{scope.suspension_reason}", at=at)
    return scope


@transaction.atomic
def scope_lift(*, actor: User, scope: InstitutionScope, reason: str, at: dt.datetime) -> InstitutionScope:
    institution = _lock_institution(scope.institution)
    _require_covering_official(actor, institution, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    scope = InstitutionScope.objects.select_for_update().get(pk=scope.pk)
    if scope.suspended_at is None:
        raise IllegalTransition("该职业（工种）/项目未暂停")
    before = {"suspended_at": scope.suspended_at, "reason": scope.suspension_reason,
              "source": scope.suspension_source}
    scope.suspended_at, scope.suspension_reason, scope.suspension_source = None, "", ""
    scope.save(update_fields=["suspended_at", "suspension_reason", "suspension_source"])
    label = scope.name + (f"（{LEVELS[scope.level]}）" if scope.level else "")
    audit.record(actor=actor, action="institution.scope_resumed", obj=institution, at=at,
                 summary=f"恢复 {label}" + (f"：{reason.strip()}" if reason.strip() else ""), before=before)
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="恢复开展鉴定工作", body=f"您单位的 {label} 已恢复开展考核鉴定工作。", at=at)
    return scope


# --- cancellation (000 二(四), 001 四(三)) -------------------------------------------------


@transaction.atomic
def cancellation_request(*, actor: User, institution: Institution, reason: str, upload: Any,
                         at: dt.datetime) -> CancellationRequest:
    """The institution asks in writing to cancel its filing (停止考核业务 / 终止鉴定工作)."""
    _require_institution_user(actor, institution)
    institution = _lock_institution(institution)
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能申请注销", code="not_filed")
    if not reason.strip():
        raise InvalidInput("请说明注销原因", field="reason")
    if CancellationRequest.objects.filter(institution=institution,
                                          status=CancellationRequest.Status.REQUESTED).exists():
        raise DomainError("已有待确认的注销申请", code="cancellation_open")
    if upload is None:
        raise InvalidInput("请上传书面申请", field="document")
    pack = get_pack(institution.pack_id)
    document = file_store(actor=actor, upload=upload, at=at, field="document")
    authority = filing_authority(institution)
    request = CancellationRequest.objects.create(
        institution=institution, authority=authority, region_code=institution.region_code, reason=reason.strip(),
        document=document, source=pack.change_filing.cancellation.source or "", requested_at=at, requested_by=actor,
    )
    audit.record(actor=actor, action="cancellation.requested", obj=request, at=at, summary=reason.strip())
    recipients = list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject="收到注销备案申请",
               body=f"{institution.name}申请注销备案：{reason.strip()}",
               link=_link(institution), related=request, at=at)
    return request


@transaction.atomic
def cancellation_confirm(*, actor: User, request: CancellationRequest, at: dt.datetime) -> CancellationRequest:
    """The original authority confirms: status cancelled; the directory shows it as cancelled
    (``active=False``: out of the default search, found by code and by ``status=cancelled``)."""
    _require_official_of(actor, request.authority, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    request = _lock(request, "confirm")
    institution = _lock_institution(request.institution)
    before = {"status": institution.status}
    institution.status = IS.CANCELLED
    institution.save(update_fields=["status"])
    request.save(update_fields=_move(request, "confirm", decided_at=at, decided_by=actor))
    audit.record(actor=actor, action="cancellation.confirmed", obj=request, at=at)
    audit.record(actor=actor, action="institution.cancelled", obj=institution, at=at,
                 summary=f"注销备案（{request.source}）" if request.source else "注销备案",
                 before=before, after={"status": institution.status})
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="注销备案已确认", body=f"{institution.name}的备案已注销。", at=at,
                 related=request)
    return request


@transaction.atomic
def cancellation_withdraw(*, actor: User, request: CancellationRequest, at: dt.datetime) -> CancellationRequest:
    _require_institution_user(actor, request.institution)
    request = _lock(request, "withdraw")
    request.save(update_fields=_move(request, "withdraw", decided_at=at))
    audit.record(actor=actor, action="cancellation.withdrawn", obj=request, at=at)
    return request


# --- stop orders for unfiled bodies (001 五(五)) -----------------------------------------------


def stop_order_source(region_code: str) -> str:
    """The clause of a pack of the region whose consequence is 责令停止 (001 五(五))."""
    for pack in all_packs():
        if region_code.startswith(pack.region.code[:2]):
            for catalogue in pack.violations:
                if catalogue.consequence == "order_to_stop":
                    return catalogue.source
    return ""


@transaction.atomic
def stop_order_record(*, actor: User, body_name: str, region_code: str, facts: str, ordered_on: dt.date,
                      at: dt.datetime, credit_code: str = "", upload: Any = None) -> StopOrder:
    if actor.role not in (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL) or actor.authority is None:
        raise DomainError("责令停止须由人社部门经办或审批人员记录", code="forbidden")
    if not actor.authority.covers(region_code):
        raise InvalidInput("该单位所在地不在您所在部门的管辖范围内", field="region_code")
    if not body_name.strip() or not facts.strip():
        raise InvalidInput("请填写单位名称和违规事实", field="body_name" if not body_name.strip() else "facts")
    credit_code = credit_code.strip().upper()
    institution = Institution.objects.filter(credit_code=credit_code).first() if credit_code else None
    if institution is not None and institution.status in LISTED:
        raise DomainError("该单位已备案；已备案机构的违规按监督管理程序处理", code="is_filed")
    document = file_store(actor=actor, upload=upload, at=at, field="document") if upload is not None else None
    order = StopOrder.objects.create(
        authority=actor.authority, body_name=body_name.strip(), credit_code=credit_code, region_code=region_code,
        institution=institution, facts=facts.strip(), document=document, source=stop_order_source(region_code),
        ordered_on=ordered_on, recorded_at=at, recorded_by=actor,
    )
    audit.record(actor=actor, action="stop_order.recorded", obj=order, at=at,
                 summary=f"责令{order.body_name}停止鉴定活动（{order.source}）",
                 after={"body_name": order.body_name, "credit_code": credit_code, "ordered_on": ordered_on})
    return order
