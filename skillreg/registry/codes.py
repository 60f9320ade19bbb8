"""Institution codes (机构代码), gap-free per scope and safe under concurrent filing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from skillreg.policies.schema import Pack
from skillreg.registry.models import BodyKind, CodeSequence, Institution


def _next(scope: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("codes must be assigned inside the filing's transaction")
    CodeSequence.objects.get_or_create(scope=scope)
    seq = CodeSequence.objects.select_for_update().get(scope=scope)
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def next_institution_code(pack: Pack, institution: Institution, *, on: dt.date) -> str:
    fmt = pack.filing.code
    if fmt.national:
        # 003 四(七) and the national rule: Y for an employer, S for a social training and
        # evaluation body; 0000 for a body filed by a province; the 2-digit province code;
        # a 6-digit sequence assigned by the province.
        kind = "Y" if institution.body_kind == BodyKind.ENTERPRISE else "S"
        province = institution.region_code[:2]
        serial = _next(f"national:{province}")
        return f"{kind}0000{province}{serial:06d}"
    scope = fmt.sequence_scope.format(pack=pack.id, region=institution.region_code, year=on.year,
                                      province=institution.region_code[:2],
                                      city=institution.region_code[:4])
    serial = _next(f"{pack.id}:{scope}")
    return fmt.pattern.format(region=institution.region_code, year=on.year, seq=serial,
                              city=institution.region_code[:4], province=institution.region_code[:2])
