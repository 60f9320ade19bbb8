"""An organisation registers itself and its first account (机构注册), before any application.

The receiving authority is not chosen by the applicant: it is the city 人社 department that
covers the location (GB/T 2260: a city covers the codes sharing its first four digits), or the
province where no city department is set up. The regime (policy pack) is the applicant's choice
among the packs whose region covers the location.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.services import user_create
from skillreg.audit import services as audit
from skillreg.core.errors import InvalidInput
from skillreg.policies.registry import PackNotFound, all_packs, get_pack
from skillreg.policies.schema import Pack
from skillreg.registry.models import BodyKind, Institution
from skillreg.registry.validators import clean_credit_code


def region_prefix(code: str) -> str:
    """The part of a GB/T 2260 code a region covers: 51 for 510000, 5119 for 511900."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def packs_for_region(region_code: str) -> list[Pack]:
    return [p for p in all_packs() if region_code.startswith(region_prefix(p.region.code))]


def authority_for_region(region_code: str) -> Authority | None:
    """The 人社 department that registers a body located at ``region_code``: its city, else its province."""
    hrss = Authority.objects.filter(kind=Authority.Kind.HRSS)
    for level, prefix in ((Authority.Level.CITY, region_code[:4]), (Authority.Level.PROVINCE, region_code[:2])):
        found = hrss.filter(level=level, region_code__startswith=prefix).order_by("region_code").first()
        if found is not None and found.covers(region_code):
            return found
    return None


def _first_error(exc: ValidationError, fields: dict[str, str]) -> InvalidInput:
    """A model's ValidationError as the domain's InvalidInput, on the first field it names."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            return InvalidInput("；".join(errors), field=fields.get(name, name))
    return InvalidInput("；".join(exc.messages))


@transaction.atomic
def _register(*, name: str, credit_code: str, body_kind: str, legal_representative: str,
              registration_number: str, registration_issuer: str, address: str, region_code: str,
              pack_id: str, contact_person: str, contact_phone: str, contact_email: str,
              username: str, password: str, at: dt.datetime) -> User:
    code = clean_credit_code(credit_code)
    if not name.strip():
        raise InvalidInput("请填写单位名称", field="name")
    if body_kind not in BodyKind.values:
        raise InvalidInput("请选择单位类别", field="body_kind")
    if Institution.objects.filter(credit_code=code).exists():
        raise InvalidInput("该统一社会信用代码已注册，请由本单位已有账号登录", field="credit_code")
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise InvalidInput("该用户名已被使用，请换一个", field="username")
    authority = authority_for_region(region_code)
    if authority is None:
        raise InvalidInput(f"所在地 {region_code} 尚无受理备案的人力资源社会保障部门", field="region_code")
    try:
        pack = get_pack(pack_id)
    except PackNotFound as exc:
        raise InvalidInput(str(exc), field="pack_id") from exc
    if not region_code.startswith(region_prefix(pack.region.code)):
        raise InvalidInput(f"“{pack.title}”只适用于{pack.region.name}，与所在地不符", field="pack_id")
    try:
        password_validation.validate_password(password, User(username=username, display_name=contact_person))
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc

    institution = Institution(
        name=name.strip(), credit_code=code, body_kind=body_kind,
        legal_representative=legal_representative.strip(),
        registration_number=registration_number.strip(), registration_issuer=registration_issuer.strip(),
        address=address.strip(), contact_person=contact_person.strip(), contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(), region_code=region_code, authority=authority,
        pack_id=pack.id, registered_at=at,
    )
    try:
        institution.full_clean()
    except ValidationError as exc:
        raise _first_error(exc, {}) from exc
    institution.save()
    try:
        user = user_create(actor=None, username=username.strip(), password=password, role=Role.INSTITUTION_USER,
                           display_name=contact_person.strip(), institution=institution, at=at)
    except ValidationError as exc:
        raise _first_error(exc, {"__all__": "username"}) from exc
    # The new account is the actor: the organisation registered itself.
    audit.record(actor=user, action="registry.institution_registered", obj=institution, at=at,
                 summary=f"单位自行注册，受理部门 {authority.name}",
                 after={"name": institution.name, "credit_code": code, "authority": authority.name,
                        "pack_id": pack.id, "username": user.username, "self_registered": True})
    return user


def institution_self_register(*, name: str, credit_code: str, body_kind: str, legal_representative: str,
                              address: str, region_code: str, pack_id: str, username: str, password: str,
                              at: dt.datetime, registration_number: str = "", registration_issuer: str = "",
                              contact_person: str = "", contact_phone: str = "",
                              contact_email: str = "") -> User:
    """Create the institution and its first institution user in one transaction; returns the user.

    Every refusal is an ``InvalidInput`` naming its field (``credit_code``, ``username``,
    ``password``, ``region_code``, ``pack_id`` ...), so a page can show it next to the field.
    """
    fields: dict[str, Any] = dict(
        name=name, credit_code=credit_code, body_kind=body_kind, legal_representative=legal_representative,
        registration_number=registration_number, registration_issuer=registration_issuer, address=address,
        region_code=region_code, pack_id=pack_id, contact_person=contact_person, contact_phone=contact_phone,
        contact_email=contact_email, username=username, password=password, at=at,
    )
    try:
        return _register(**fields)
    except IntegrityError as exc:
        # Two registrations raced past the checks above; the unique constraints kept one.
        if User.objects.filter(username__iexact=username.strip()).exists():
            raise InvalidInput("该用户名已被使用，请换一个", field="username") from exc
        raise InvalidInput("该统一社会信用代码已注册，请由本单位已有账号登录", field="credit_code") from exc
