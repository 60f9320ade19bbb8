"""Who may be assessed by whom and where (003 三), read from the pack's applicant kinds.

A kind restricts only when the pack gives it a ``scope`` (whom or where it may assess);
a kind without one (002 第七条 lists kinds that may apply, not whom they assess) is no rule.
"""

from __future__ import annotations

from skillreg.accounts.models import Authority
from skillreg.policies.schema import Pack, PolicyApplicantKind
from skillreg.registry.models import BodyKind, Institution

_ENTERPRISES = {BodyKind.ENTERPRISE, BodyKind.PROVINCIAL_SOE, BodyKind.CENTRAL_ENTERPRISE}
_SCHOOLS = {BodyKind.TECHNICAL_SCHOOL, BodyKind.PROVINCIAL_SCHOOL}


def applicant_kind(pack: Pack, institution: Institution) -> PolicyApplicantKind | None:
    """The pack's kind for this institution when the pack restricts that kind, else None."""
    if institution.body_kind in _ENTERPRISES:
        key = "enterprise"
    elif institution.body_kind in _SCHOOLS:
        key = "technical-school"
    elif institution.authority.level == Authority.Level.PROVINCE:
        key = "social-region-wide"
    else:
        key = "social-city-wide"
    for kind in pack.applicants.kinds:
        if kind.key == key and kind.scope:
            return kind
    return None


def area_prefix(kind: PolicyApplicantKind, institution: Institution) -> str | None:
    """Where a social body may assess: the whole region (province) or its own city."""
    if kind.key == "social-region-wide":
        return institution.region_code[:2]
    if kind.key == "social-city-wide":
        return institution.region_code[:4]
    return None
