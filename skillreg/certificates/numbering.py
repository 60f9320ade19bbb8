"""Certificate numbers: gap-free per scope, safe under concurrent issue.

Each scope has one counter row. Issuing locks it (SELECT … FOR UPDATE), so two issuers of
the same body, level and year queue on that row while other bodies are untouched. The
increment lives in the issuing transaction: if the issue fails, the number is given back.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from skillreg.certificates.models import CertificateKind, CertificateSequence
from skillreg.certificates.policy import PackCertificates
from skillreg.core.errors import DomainError
from skillreg.registry.models import Institution

# The body part of a 职业技能等级证书 number (003 四(七), national rule): Y (employer) or
# S (social training-evaluation body), 4-digit ministry code (0000: filed by a province),
# 2-digit province code, 6-digit body sequence assigned by the province.
BODY_CODE = re.compile(r"^[YS]\d{4}\d{2}\d{6}$")
NATIONAL_NUMBER = re.compile(r"^(?P<body>[YS]\d{12})(?P<yy>\d{2})(?P<level>[1-5])(?P<serial>\d{6})$")


def _take(scope: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("certificate numbers must be taken inside the issuing transaction")
    # INSERT … ON CONFLICT DO NOTHING: the first issuer of a scope creates its row without
    # racing another; then everyone locks the same row.
    CertificateSequence.objects.bulk_create([CertificateSequence(scope=scope)], ignore_conflicts=True)
    seq = CertificateSequence.objects.select_for_update().get(scope=scope)
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def next_number(rules: PackCertificates, institution: Institution, *, level: int | None,
                on: dt.date) -> tuple[str, str, int]:
    """(number, counter scope, serial) for one certificate issued by ``institution`` on ``on``."""
    code = institution.code or ""
    if rules.kind == CertificateKind.SKILL_LEVEL:
        if not BODY_CODE.match(code):
            raise DomainError(
                f"机构代码“{code or '（无）'}”不符合全国统一编码规则（Y/S + 4 位部委代码 + 2 位省份代码 + 6 位序号），"
                "无法为职业技能等级证书编号",
                code="institution_code_not_national", source="003 四(七)",
            )
        if level is None or not 1 <= level <= 5:
            raise DomainError("职业技能等级证书须注明等级（5 初级 … 1 高级技师）", code="level_required",
                              source="003 四(七)")
    if not code:
        raise DomainError("机构尚无机构代码（未完成备案），不能为证书编号", code="institution_not_filed")
    fields = {"institution_code": code, "institution": institution.pk, "yy": f"{on.year % 100:02d}",
              "year": on.year, "level": "" if level is None else level}
    fmt = rules.number_format
    scope = fmt.scope.format(**fields)
    serial = _take(scope)
    if serial >= 10 ** fmt.serial_digits:
        raise DomainError(f"编号序列 {scope} 已用尽（{fmt.serial_digits} 位流水号）", code="serial_exhausted")
    return fmt.pattern.format(serial=serial, **fields), scope, serial
