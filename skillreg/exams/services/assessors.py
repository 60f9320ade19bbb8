"""The assessor pool (考评员库; 002 第十五条: 市职鉴中心选派, so the centre keeps the pool).

Who manages it: the officials (经办, 审批, 鉴定中心) whose jurisdiction covers the assessor's
region, and the administrator. An assessor is never deleted: one who leaves the pool is
deactivated with a reason (draws that listed them stay recomputable), and can come back.
The 身份证号码 is checked (GB 11643) and never written to the audit trail, only masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.exams.idcard import id_problem, mask_id
from skillreg.exams.models import Assessor, AssessorCertificate
from skillreg.exams.services.common import local_date
from skillreg.registry.models import Institution

SOURCE = "002 第十五条"


@dataclass(frozen=True)
class CertificateIn:
    scope_name: str
    number: str
    valid_until: dt.date
    level: int | None = None


def require_pool_role(actor: Any) -> None:
    """The role alone, before any lookup the request asks for (a username, a credit code), so
    that nobody else learns from the answer whether such an account or body exists."""
    if getattr(actor, "role", None) != Role.SYSADMIN and getattr(actor, "role", None) not in OFFICIAL_ROLES:
        raise DomainError("考评员库由属地人社部门和职业技能鉴定（指导）中心管理", code="forbidden", source=SOURCE)


def require_pool_manager(actor: Any, region_code: str) -> None:
    role = getattr(actor, "role", None)
    if role == Role.SYSADMIN:
        return
    if role not in OFFICIAL_ROLES or actor.authority is None or not actor.authority.covers(region_code):
        raise DomainError("考评员库由属地人社部门和职业技能鉴定（指导）中心管理", code="forbidden", source=SOURCE)


def _check_region(actor: Any, region_code: str) -> str:
    code = (region_code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise InvalidInput("所属地区应为 6 位行政区划代码，如 511902", field="region_code")
    if getattr(actor, "role", None) != Role.SYSADMIN and actor.authority is not None \
            and not actor.authority.covers(code):
        raise InvalidInput(f"所属地区 {code} 不在本单位管辖范围内", field="region_code")
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写姓名", field="name")
    if len(name) > 50:
        raise InvalidInput("姓名过长（最多 50 字）", field="name")
    return name


def _check_employer(employer_name: str, employer: Institution | None) -> str:
    name = (employer_name or "").strip()
    if not name and employer is not None:
        name = employer.name
    if not name:
        raise InvalidInput("请填写工作单位（选派时据此回避本单位的考核）", field="employer_name")
    if len(name) > 200:
        raise InvalidInput("工作单位名称过长（最多 200 字）", field="employer_name")
    return name


def _check_certificate(cert: CertificateIn, *, today: dt.date) -> CertificateIn:
    scope = (cert.scope_name or "").strip()
    number = (cert.number or "").strip()
    if not scope:
        raise InvalidInput("请填写考评员证书的职业（工种）或项目", field="scope_name")
    if len(scope) > 100:
        raise InvalidInput("职业（工种）或项目名称过长（最多 100 字）", field="scope_name")
    if cert.level is not None and not 1 <= cert.level <= 5:
        raise InvalidInput("等级应为 1–5 级（一级/高级技师 至 五级/初级工），专项职业能力不填", field="level")
    if not number:
        raise InvalidInput("请填写考评员证书编号", field="number")
    if len(number) > 50:
        raise InvalidInput("证书编号过长（最多 50 字符）", field="number")
    if cert.valid_until < today:
        raise InvalidInput(f"证书已于 {cert.valid_until:%Y年%m月%d日} 过期，不能作为考评资格登记", field="valid_until")
    return CertificateIn(scope_name=scope, number=number, valid_until=cert.valid_until, level=cert.level)


def _check_user(user: Any, *, assessor: Assessor | None = None) -> None:
    if user is None:
        return
    if user.role != Role.ASSESSOR:
        raise InvalidInput(f"账号“{user.get_username()}”不是考评员角色，不能关联", field="username")
    taken = Assessor.objects.filter(user=user).exclude(pk=getattr(assessor, "pk", None)).first()
    if taken is not None:
        raise InvalidInput(f"账号“{user.get_username()}”已关联考评员 {taken.name}", field="username")


def _snapshot(a: Assessor) -> dict[str, Any]:
    return {"name": a.name, "id_number": a.masked_id, "region_code": a.region_code, "employer": a.employer_name,
            "employer_institution": a.employer_id, "active": a.active, "user": a.user_id}


@transaction.atomic
def assessor_add(*, actor: Any, name: str, id_number: str, region_code: str, employer_name: str = "",
                 employer: Institution | None = None, certificates: Sequence[CertificateIn] = (),
                 user: Any = None, at: dt.datetime) -> Assessor:
    """A new assessor in the pool, with the certificates that make them dispatchable."""
    code = _check_region(actor, region_code)
    require_pool_manager(actor, code)
    name = _check_name(name)
    today = local_date(at)
    number = _checked_id(id_number, today=today)
    employer_name = _check_employer(employer_name, employer)
    if not certificates:
        raise InvalidInput("请至少登记一本考评员证书（无有效证书不能被选派）", field="scope_name", source=SOURCE)
    certs = [_check_certificate(c, today=today) for c in certificates]
    numbers = [c.number for c in certs]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput("证书编号重复", field="number")
    _check_user(user)
    try:
        with transaction.atomic():  # two clerks adding the same person at once: one wins, one is told
            assessor = Assessor.objects.create(user=user, name=name, id_number=number, region_code=code,
                                               employer_name=employer_name, employer=employer, added_at=at)
    except IntegrityError as exc:
        raise InvalidInput("该身份证号码已在考评员库中，不能重复入库", field="id_number",
                           code="assessor_exists") from exc
    AssessorCertificate.objects.bulk_create([
        AssessorCertificate(assessor=assessor, scope_name=c.scope_name, level=c.level, number=c.number,
                            valid_until=c.valid_until) for c in certs])
    audit.record(actor=actor, action="exams.assessor_added", obj=assessor, at=at,
                 summary=f"考评员库新增 {name}（{mask_id(number)}，{employer_name}）",
                 after=_snapshot(assessor) | {"certificates": [
                     {"scope": c.scope_name, "level": c.level, "number": c.number,
                      "valid_until": c.valid_until.isoformat()} for c in certs]})
    return assessor


def _lock(assessor: Assessor) -> Assessor:
    return Assessor.objects.select_for_update().get(pk=assessor.pk)


def _checked_id(id_number: str, *, today: dt.date, exclude: Assessor | None = None) -> str:
    problem = id_problem(id_number, today=today)
    if problem:
        raise InvalidInput(problem, field="id_number", code="invalid_id_number")
    number = id_number.strip().upper().replace(" ", "")
    existing = Assessor.objects.filter(id_number=number).exclude(pk=getattr(exclude, "pk", None)).first()
    if existing is not None:
        # Not naming the record: it may be in another jurisdiction's part of the pool.
        raise InvalidInput("该身份证号码已在考评员库中，不能重复入库", field="id_number", code="assessor_exists")
    return number


@transaction.atomic
def assessor_update(*, actor: Any, assessor: Assessor, name: str, region_code: str, employer_name: str,
                    employer: Institution | None = None, user: Any = None, id_number: str = "",
                    at: dt.datetime) -> Assessor:
    """Correct the particulars. The 身份证号码 identifies the person: it can be entered once for a
    record that lacks it (entered before the pool pages), never changed afterwards."""
    assessor = _lock(assessor)
    require_pool_manager(actor, assessor.region_code)
    code = _check_region(actor, region_code)
    before = _snapshot(assessor)
    if id_number.strip():
        number = _checked_id(id_number, today=local_date(at), exclude=assessor)
        if assessor.id_number and assessor.id_number != number:
            raise InvalidInput("身份证号码登记后不能修改；录入有误的，请将该记录出库后重新入库", field="id_number")
        assessor.id_number = number
    assessor.name = _check_name(name)
    assessor.region_code = code
    assessor.employer_name = _check_employer(employer_name, employer)
    assessor.employer = employer
    _check_user(user, assessor=assessor)
    assessor.user = user
    assessor.save(update_fields=["name", "id_number", "region_code", "employer_name", "employer", "user"])
    after = _snapshot(assessor)
    if after != before:
        audit.record(actor=actor, action="exams.assessor_updated", obj=assessor, at=at, before=before, after=after,
                     summary=f"修改考评员信息：{assessor.name}")
    return assessor


@transaction.atomic
def assessor_certificate_add(*, actor: Any, assessor: Assessor, certificate: CertificateIn,
                             at: dt.datetime) -> AssessorCertificate:
    assessor = _lock(assessor)
    require_pool_manager(actor, assessor.region_code)
    cert = _check_certificate(certificate, today=local_date(at))
    if assessor.certificates.filter(number=cert.number).exists():
        raise InvalidInput(f"证书编号 {cert.number} 已登记", field="number")
    made = AssessorCertificate.objects.create(assessor=assessor, scope_name=cert.scope_name, level=cert.level,
                                              number=cert.number, valid_until=cert.valid_until)
    audit.record(actor=actor, action="exams.assessor_certificate_added", obj=assessor, at=at,
                 summary=f"登记考评员证书：{assessor.name} {cert.scope_name} {cert.number}",
                 after={"scope": cert.scope_name, "level": cert.level, "number": cert.number,
                        "valid_until": cert.valid_until.isoformat()})
    return made


@transaction.atomic
def assessor_certificate_remove(*, actor: Any, certificate: AssessorCertificate, reason: str,
                                at: dt.datetime) -> None:
    assessor = _lock(certificate.assessor)
    require_pool_manager(actor, assessor.region_code)
    if not reason.strip():
        raise InvalidInput("注销证书须写明原因", field="reason")
    before = {"scope": certificate.scope_name, "level": certificate.level, "number": certificate.number,
              "valid_until": certificate.valid_until.isoformat()}
    certificate.delete()
    audit.record(actor=actor, action="exams.assessor_certificate_removed", obj=assessor, at=at, before=before,
                 summary=f"注销考评员证书：{assessor.name} {before['number']}（{reason.strip()}）")


@transaction.atomic
def assessor_deactivate(*, actor: Any, assessor: Assessor, reason: str, at: dt.datetime) -> Assessor:
    """Out of the pool: no longer drawn (the dispatch lists them as excluded, 已不在考评员库)."""
    assessor = _lock(assessor)
    require_pool_manager(actor, assessor.region_code)
    if not assessor.active:
        raise IllegalTransition(f"{assessor.name} 已出库")
    if not reason.strip():
        raise InvalidInput("出库须写明原因", field="reason")
    assessor.active, assessor.deactivated_at, assessor.deactivation_reason = False, at, reason.strip()
    assessor.save(update_fields=["active", "deactivated_at", "deactivation_reason"])
    audit.record(actor=actor, action="exams.assessor_deactivated", obj=assessor, at=at,
                 before={"active": True}, after={"active": False, "reason": assessor.deactivation_reason},
                 summary=f"考评员出库：{assessor.name}（{assessor.deactivation_reason}）")
    return assessor


@transaction.atomic
def assessor_reactivate(*, actor: Any, assessor: Assessor, at: dt.datetime) -> Assessor:
    assessor = _lock(assessor)
    require_pool_manager(actor, assessor.region_code)
    if assessor.active:
        raise IllegalTransition(f"{assessor.name} 在库中")
    assessor.active, assessor.deactivated_at, assessor.deactivation_reason = True, None, ""
    assessor.save(update_fields=["active", "deactivated_at", "deactivation_reason"])
    audit.record(actor=actor, action="exams.assessor_reactivated", obj=assessor, at=at,
                 before={"active": False}, after={"active": True}, summary=f"考评员重新入库：{assessor.name}")
    return assessor


def employer_by_credit_code(code: str, *, field: str) -> Institution | None:
    """The employing institution named by its 统一社会信用代码 on a form or in an API body; blank: none."""
    code = code.strip().upper()
    if not code:
        return None
    found = Institution.objects.filter(credit_code=code).first()
    if found is None:
        raise InvalidInput(f"没有统一社会信用代码为“{code}”的考核机构", field=field)
    return found
