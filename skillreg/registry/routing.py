"""Which authority receives an application: the pack's routing rules, first match wins."""

from __future__ import annotations

from dataclasses import dataclass

from skillreg.accounts.models import Authority
from skillreg.core.errors import DomainError
from skillreg.policies.schema import Pack, RoutingRule
from skillreg.registry.application_form import ApplicationForm
from skillreg.registry.models import Institution


@dataclass(frozen=True)
class Route:
    authority: Authority
    reviewing_authority: Authority | None
    rule: RoutingRule


def _matches(rule: RoutingRule, institution: Institution, form: ApplicationForm) -> bool:
    when = rule.when
    if when.body_kinds is not None and institution.body_kind not in when.body_kinds:
        return False
    if when.levels_any is not None and not (form.levels() & set(when.levels_any)):
        return False
    if when.region_prefixes is not None and not any(
            institution.region_code.startswith(p) for p in when.region_prefixes):
        return False
    return not (when.not_region_prefixes is not None and any(
        institution.region_code.startswith(p) for p in when.not_region_prefixes))


def _authority(tier: str, kind: str, region_code: str) -> Authority | None:
    code = region_code[:2] + "0000" if tier == "province" else region_code[:4] + "00"
    candidates = Authority.objects.filter(level=tier, region_code=code)
    # Prefer the kind the rule names (人社部门 or 鉴定中心); a region without a separate
    # centre is served by its 人社部门.
    return candidates.filter(kind=kind).first() or candidates.first()


def route(pack: Pack, institution: Institution, form: ApplicationForm) -> Route:
    for rule in pack.filing.routing:
        if _matches(rule, institution, form):
            authority = _authority(rule.to, rule.authority_kind, institution.region_code)
            if authority is None:
                raise DomainError(
                    f"按{rule.source}应由{'省级' if rule.to == 'province' else '市级'}部门受理，"
                    f"但系统中没有 {institution.region_code} 对应的受理部门，请联系系统管理员",
                    code="no_authority", source=rule.source,
                )
            reviewer = None
            if rule.reviewed_by:
                reviewer = _authority(rule.reviewed_by, rule.reviewer_kind or "centre",
                                      institution.region_code)
            return Route(authority=authority, reviewing_authority=reviewer, rule=rule)
    raise DomainError("政策包未给出适用于该申请的受理部门", code="no_route")
