from __future__ import annotations

import datetime as dt

from django.db import transaction

from skillreg.accounts.models import Authority, User
from skillreg.audit import services as audit
from skillreg.core.errors import InvalidInput
from skillreg.registry.models import Institution
from skillreg.registry.validators import clean_credit_code


@transaction.atomic
def institution_register(*, actor: User | None, name: str, credit_code: str, body_kind: str,
                         legal_representative: str, address: str, region_code: str,
                         authority: Authority, pack_id: str, at: dt.datetime,
                         contact_phone: str = "") -> Institution:
    code = clean_credit_code(credit_code)
    if Institution.objects.filter(credit_code=code).exists():
        raise InvalidInput("该统一社会信用代码已注册", field="credit_code")
    if not authority.covers(region_code):
        raise InvalidInput(f"机构所在地 {region_code} 不在 {authority.name} 的管辖范围内",
                           field="region_code")
    institution = Institution.objects.create(
        name=name.strip(), credit_code=code, body_kind=body_kind,
        legal_representative=legal_representative.strip(), address=address.strip(),
        contact_phone=contact_phone, region_code=region_code, authority=authority,
        pack_id=pack_id, registered_at=at,
    )
    audit.record(actor=actor, action="registry.institution_registered", obj=institution, at=at,
                 after={"name": institution.name, "credit_code": code,
                        "authority": authority.name, "pack_id": pack_id})
    return institution
