"""Application content and actors for the filing tests (and the demo data)."""

from __future__ import annotations

from typing import Any

from skillreg.accounts.factories import AuthorityFactory, UserFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.registry.models import Institution


def sc_form(institution: Institution, *, levels: tuple[int, ...] = (5, 4, 3),
            station_name: str | None = None) -> dict[str, Any]:
    """A complete 001 备案表: scope, rooms, sites with equipment, rosters, commitments, rules."""
    return {
        "station_name": station_name if station_name is not None else f"{institution.name}职业技能考核鉴定所",
        "scope": [{"name": "电工", "occupation_code": "6-31-01-03", "levels": list(levels), "assessors": 4},
                  {"name": "焊工", "occupation_code": "6-18-02-04", "levels": [5, 4], "assessors": 3}],
        "theory_rooms": {"count": 2, "area": 120},
        "practical_sites": {"count": 1, "area": 300, "equipment": [
            {"name": "低压配电实训台", "model": "DL-380", "unit": "台", "quantity": 10}]},
        "inspection_sites": {"count": 1, "area": 60, "equipment": [
            {"name": "绝缘电阻测试仪", "model": "ZC25-3", "unit": "台", "quantity": 4}]},
        "staff": [
            {"role": "head", "name": "周建华", "title": "中级", "age": 48},
            {"role": "deputy", "name": "吴敏", "title": "中级"},
            {"role": "office_head", "name": "郑丽"},
            {"role": "contact", "name": "孙强", "phone": "0827-5260001"},
            {"role": "manager", "name": "钱伟", "full_time": True},
            {"role": "manager", "name": "冯静", "full_time": True},
            {"role": "finance", "name": "陈芳"},
        ],
        "assessors": [
            *({"kind": "assessor", "name": f"考评员{n}", "certificate_no": f"KP2024{n:04d}",
               "scope": ["电工", "焊工"]} for n in range(4)),
            {"kind": "supervisor", "name": "督导员甲", "certificate_no": "DD20240001"},
        ],
        "commitments": {"truthfulness": True, "conduct": True},
        "rules": ["财务管理制度", "档案管理制度", "考务管理制度", "安全、消防应急预案"],
    }


def gs_form(institution: Institution, **overrides: Any) -> dict[str, Any]:
    form = sc_form(institution)
    form["station_name"] = institution.name
    form["scope"] = [{"name": "农村电商运营", "levels": [], "assessors": 3}]
    form["assessors"] = [
        *({"kind": "assessor", "name": f"考评员{n}", "certificate_no": f"GS{n:04d}"} for n in range(3)),
        {"kind": "supervisor", "name": "督导员乙", "certificate_no": "GSD001"},
    ]
    form.update(overrides)
    return form


def official(role: Role, authority: Authority, username: str) -> User:
    return UserFactory(role=role, authority=authority, username=username)


def province_and_city(province: tuple[str, str, str], city: tuple[str, str, str],
                      *, centres: bool = False) -> tuple[Authority, Authority]:
    """(name, code, region name) of a province and a city; optionally their 鉴定中心 too."""
    prov = AuthorityFactory(name=province[0], region_code=province[1], region_name=province[2],
                            level=Authority.Level.PROVINCE)
    town = AuthorityFactory(name=city[0], region_code=city[1], region_name=city[2], parent=prov)
    if centres:
        AuthorityFactory(name=province[2] + "职业技能鉴定指导中心", region_code=province[1],
                         region_name=province[2], level=Authority.Level.PROVINCE, kind=Authority.Kind.CENTRE)
        AuthorityFactory(name=city[2] + "职业技能鉴定指导中心", region_code=city[1], region_name=city[2],
                         parent=town, kind=Authority.Kind.CENTRE)
    return prov, town
