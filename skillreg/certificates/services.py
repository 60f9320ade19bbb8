"""Issuing and revoking certificates, and disclosing a full ID number: each audited.

Every function is keyword-only with a required actor and ``at``; the change and its audit
event commit together. ID numbers never enter an audit text in full (masked only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.audit import services as audit
from skillreg.certificates import policy
from skillreg.certificates.approval import results_approved_for
from skillreg.certificates.masking import clean_id_number, clean_name, mask_id
from skillreg.certificates.models import Certificate, CertificateKind
from skillreg.certificates.numbering import next_number
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.workdays.calendar import add_workdays

MAX_BATCH = 1000


class NotAllowed(DomainError):
    status = 403

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message, code="not_allowed", source=source)


@dataclass(frozen=True)
class Holder:
    """One candidate who passed: as registered for the exam (name and ID number)."""

    name: str
    id_number: str
    # The exams app's Registration (optional): then it must be of this sitting, passed, and
    # of this person; the certificate links to it.
    registration: Any = None


def _summary(cert: Certificate) -> dict[str, Any]:
    return {"number": cert.number, "holder": cert.holder_name, "id_number": mask_id(cert.id_number),
            "occupation": cert.occupation, "level": cert.level, "issued_on": cert.issued_on.isoformat(),
            "status": cert.status}


def _sitting_ref(sitting: Any) -> str:
    ref = getattr(sitting, "public_id", None) or getattr(sitting, "pk", None) or sitting
    return str(ref)[:100]


def _check_scope(institution: Institution, kind: str, occupation: str, level: int | None) -> None:
    scope = InstitutionScope.objects.filter(institution=institution, name=occupation)
    if kind == CertificateKind.SKILL_LEVEL:
        # 003 二(三): 按照本机构备案的职业（工种）、等级范围…发放职业技能等级证书
        if not scope.filter(level=level).exists():
            raise DomainError(f"“{occupation}”{level}级不在本机构备案的职业（工种）、等级范围内，不能发证",
                              code="outside_scope", source="003 二(三)")
    elif not scope.exists():
        raise DomainError(f"“{occupation}”不在本机构备案的考核项目范围内，不能发证", code="outside_scope")


def _clean_holders(holders: Sequence[Holder]) -> list[Holder]:
    if not holders:
        raise InvalidInput("请至少填写一名考核合格人员", field="holders")
    if len(holders) > MAX_BATCH:
        raise InvalidInput(f"一次最多发放 {MAX_BATCH} 本证书", field="holders")
    cleaned: list[Holder] = []
    seen: set[str] = set()
    for n, holder in enumerate(holders, start=1):
        field = f"holders[{n}]"
        id_number = clean_id_number(holder.id_number, field=field)
        if id_number in seen:
            raise InvalidInput(f"第 {n} 人的身份证号码与前面重复", field=field)
        seen.add(id_number)
        cleaned.append(Holder(clean_name(holder.name, field=field), id_number, holder.registration))
    return cleaned


def _check_registrations(holders: list[Holder], sitting: Any) -> None:
    for n, holder in enumerate(holders, start=1):
        reg = holder.registration
        if reg is None:
            continue
        field = f"holders[{n}]"
        if getattr(reg, "plan_id", None) != getattr(sitting, "pk", object()):
            raise InvalidInput(f"第 {n} 人的报名不属于该考核批次", field=field)
        if getattr(reg, "passed", None) is not True:
            raise DomainError(f"第 {n} 人（{holder.name}）考核不合格或无成绩，不能发证", code="not_passed")
        if reg.candidate.id_number != holder.id_number:
            raise InvalidInput(f"第 {n} 人的身份证号码与报名信息不符", field=field)


def _check_publicity(rules: policy.PackCertificates, approved_at: dt.datetime | None, at: dt.datetime) -> None:
    if rules.publicity_workdays is None:
        return  # the documents fix no 公示 period (policy.SILENT_PUBLICITY)
    if approved_at is None:
        raise DomainError("已设置成绩公示期，但考务模块未提供成绩审核时间，无法计算公示期", code="publicity_unknown")
    start = approved_at.astimezone(clock.LOCAL_TZ).date()
    end = add_workdays(start, rules.publicity_workdays).date
    if at.astimezone(clock.LOCAL_TZ).date() <= end:
        raise DomainError(
            f"成绩公示期（{rules.publicity_workdays} 个工作日，至 {end:%Y年%-m月%-d日}）尚未届满，不能发证；"
            f"{rules.publicity_note}",
            code="in_publicity_period",
        )


@transaction.atomic
def certificates_issue(*, actor: Any, institution: Institution, holders: Sequence[Holder], occupation: str,
                       level: int | None, sitting: Any, at: dt.datetime) -> list[Certificate]:
    """Issue one certificate per holder, numbered gap-free, once the sitting's results are approved."""
    # 003 四(十) 谁评价、谁发证: the body that assessed issues; 002 第六条(六) the same for 专项.
    if getattr(actor, "role", None) != Role.INSTITUTION_USER or actor.institution_id != institution.pk:
        raise NotAllowed("只有本机构的用户可以为本机构发证", source="003 四(十)")
    institution = Institution.objects.get(pk=institution.pk)
    if institution.status != Institution.Status.FILED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，只有已备案的机构可以发证",
                          code="institution_not_filed")
    rules = policy.for_pack(institution.pack_id)
    if rules is None:
        raise DomainError("本机构适用的文件未规定由机构发放证书，系统不予发证", code="no_certificate_rule")
    occupation = (occupation or "").strip()
    if not occupation:
        raise InvalidInput("请填写职业（工种）或项目", field="occupation")
    if rules.kind == CertificateKind.SPECIAL:
        if level is not None:
            raise InvalidInput("专项职业能力证书不分等级", field="level")
    elif level is None or not 1 <= level <= 5:
        raise InvalidInput("职业技能等级证书须注明等级（5 初级 … 1 高级技师）", field="level")
    _check_scope(institution, rules.kind, occupation, level)
    cleaned = _clean_holders(holders)

    # Issued only for those who passed after the centre approved the sitting's results.
    approval = results_approved_for(sitting=sitting)
    if not approval.approved:
        raise DomainError(f"考核成绩尚未审核，不能发证：{approval.reason}", code="results_not_approved")
    _check_publicity(rules, approval.at, at)
    _check_registrations(cleaned, sitting)

    already = set(
        Certificate.objects.filter(institution=institution, occupation=occupation, level=level,
                                   status=Certificate.Status.VALID,
                                   id_number__in=[h.id_number for h in cleaned])
        .values_list("id_number", flat=True)
    )
    if already:
        masked = "、".join(sorted(mask_id(i) for i in already))
        raise DomainError(f"以下人员已持有本机构发放的同一职业（项目）等级的有效证书：{masked}", code="already_issued")

    issued_on = at.astimezone(clock.LOCAL_TZ).date()
    created: list[Certificate] = []
    for holder in cleaned:
        number, scope, serial = next_number(rules, institution, level=level, on=issued_on)
        cert = Certificate.objects.create(
            number=number, kind=rules.kind, institution=institution, issuer_name=institution.name,
            region_code=institution.region_code, pack_id=institution.pack_id, holder_name=holder.name,
            id_number=holder.id_number, occupation=occupation, level=level, issued_on=issued_on,
            issued_at=at, issued_by=actor, serial=serial, sequence_scope=scope, sitting_ref=_sitting_ref(sitting),
            registration=holder.registration,
        )
        audit.record(actor=actor, action="certificates.issued", obj=cert, after=_summary(cert), at=at,
                     summary=f"发放{cert.get_kind_display()} {cert.number}（{cert.holder_name}）")
        created.append(cert)
    return created


def may_revoke(user: Any, certificate: Certificate) -> bool:
    """Officials of the jurisdiction (002 第二十六条: the 人社 department 追缴 the certificate)."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.SYSADMIN:
        return True
    return user.role in OFFICIAL_ROLES and user.authority is not None and user.authority.covers(
        certificate.region_code)


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str, at: dt.datetime) -> Certificate:
    """002 第二十六条: 追缴违规发放的证书. The certificate stays and verifies as revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写撤销原因", field="reason", source="002 第二十六条")
    if len(reason) > 500:
        raise InvalidInput("撤销原因不超过 500 字", field="reason")
    if not may_revoke(actor, certificate):
        raise NotAllowed("只有辖区人力资源社会保障部门可以撤销（追缴）证书", source="002 第二十六条")
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    cert.check_move(Certificate.Status.REVOKED)
    before = _summary(cert)
    cert.status = Certificate.Status.REVOKED
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = at, actor, reason
    cert.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    audit.record(actor=actor, action="certificates.revoked", obj=cert, before=before,
                 after={**_summary(cert), "reason": reason}, at=at,
                 summary=f"撤销证书 {cert.number}：{reason}")
    return cert


def may_see_full_id(user: Any, certificate: Certificate) -> bool:
    """The issuing institution's users and the officials of its jurisdiction; nobody else."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.INSTITUTION_USER:
        return user.institution_id == certificate.institution_id
    return user.role in OFFICIAL_ROLES and user.authority is not None and user.authority.covers(
        certificate.region_code)


@transaction.atomic
def certificate_full_id(*, actor: Any, certificate: Certificate, purpose: str, at: dt.datetime) -> str:
    """The full ID number, for those who may see it; every disclosure is an audit event."""
    if not may_see_full_id(actor, certificate):
        raise NotAllowed("无权查看完整身份证号码")
    audit.record(actor=actor, action="certificates.id_viewed", obj=certificate, at=at,
                 after={"number": certificate.number, "purpose": purpose},
                 summary=f"查看证书 {certificate.number} 持证人完整身份证号码（{purpose}）")
    return certificate.id_number
