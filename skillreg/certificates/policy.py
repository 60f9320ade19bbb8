"""What each policy pack says about certificates, and what it leaves to this system.

The packs (skillreg/policies/packs) hold what the documents say: the kind of certificate
and, for nm-2021-skill-level, that numbers follow the national rule (003 四(七)). The number
format of 专项职业能力证书 is pack data too (``certificate.number_format``), marked as this
system's convention because 000, 002 and 004 are silent ("文件未规定证书编码规则"). One thing
the documents do not say lives here:

- a result announcement (公示) period before issue: no document fixes one, so every pack
  defaults to None (no period), with that note. An operator who adopts one sets
  ``SKILLREG_CERTIFICATE_PUBLICITY_WORKDAYS = {"bz-2023-special": 5}`` in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from skillreg.certificates.models import CertificateKind
from skillreg.policies.registry import get_pack

SILENT_PUBLICITY = "文件未规定成绩公示期，本系统默认不设公示期"


@dataclass(frozen=True)
class NumberFormat:
    """A number pattern (str.format) and the scope of its gap-free counter.

    Fields available to both: ``institution_code`` (the filing code), ``institution``
    (its database id), ``yy`` / ``year``, ``level`` (may be empty), and ``serial`` in the
    pattern. The scope must make the pattern unique: every field that varies between two
    counters must appear in the pattern.
    """

    pattern: str
    scope: str
    serial_digits: int
    # True: a rule this system chose because the documents are silent (shown in the UI).
    convention: bool
    note: str


# 职业技能等级证书, national rule (003 四(七) "遵循全国统一编码规则"): the 13-character
# body code (Y/S + 4-digit ministry code + 2-digit province + 6-digit body sequence, which the
# registry assigns to nm-2021 bodies), the 2-digit year, the level digit, a 6-digit serial;
# gap-free per body, level and year.
NATIONAL_FORMAT = NumberFormat(
    pattern="{institution_code}{yy}{level}{serial:06d}",
    scope="nat:{institution_code}:{yy}:{level}",
    serial_digits=6,
    convention=False,
    note="职业技能等级证书遵循全国统一编码规则（003 四(七)）：机构代码 13 位 + 年份 2 位 + 等级 1 位 + 流水号 6 位",
)

@dataclass(frozen=True)
class PackCertificates:
    pack_id: str
    kind: CertificateKind
    kind_source: str | None
    number_format: NumberFormat
    # Working days of 公示 after the results are approved; None: the documents fix none.
    publicity_workdays: int | None = None
    publicity_note: str = SILENT_PUBLICITY


def _pack_format(pack_id: str) -> NumberFormat | None:
    """The pack's own certificate number format (专项职业能力证书), or None. sc-2021-appraisal has
    none on purpose: 001 names no certificate (it only asks for the 鉴定获证人员信息 to be
    reported, 001 五(二)), so issuing is refused there."""
    fmt = get_pack(pack_id).certificate.number_format
    if fmt is None:
        return None
    return NumberFormat(pattern=fmt.pattern, scope=fmt.scope, serial_digits=fmt.serial_digits,
                        convention=fmt.source is None, note=fmt.note)


def _publicity_override(pack_id: str) -> int | None:
    table = getattr(settings, "SKILLREG_CERTIFICATE_PUBLICITY_WORKDAYS", {}) or {}
    value = table.get(pack_id)
    return int(value) if value is not None else None


def for_pack(pack_id: str) -> PackCertificates | None:
    """The certificate rules of a pack, or None where the pack's document names no certificate."""
    pack = get_pack(pack_id)
    publicity = _publicity_override(pack_id)
    note = SILENT_PUBLICITY if publicity is None else f"系统设置：成绩公示 {publicity} 个工作日（文件未规定）"
    if pack.certificate.national_numbering.value is True:
        return PackCertificates(pack_id, CertificateKind.SKILL_LEVEL, pack.certificate.national_numbering.source,
                                NATIONAL_FORMAT, publicity, note)
    special = _pack_format(pack_id)
    if special is not None:
        return PackCertificates(pack_id, CertificateKind.SPECIAL, pack.certificate.kind.source,
                                special, publicity, note)
    return None
