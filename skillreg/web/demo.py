"""Demo data: authorities of the five regimes, one account per role in two regions,
and a few registered institutions. Built from the same factories as the tests."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction

from skillreg.accounts.factories import DEFAULT_PASSWORD
from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.services import user_create
from skillreg.core import clock
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import BodyKind, Institution, Occupation
from skillreg.registry.services import institution_register
from skillreg.web.demo_filings import load_demo_filings

# (name, region code, region name, level, kind, parent name)
AUTHORITIES = [
    ("四川省人力资源和社会保障厅", "510000", "四川省", "province", "hrss", None),
    ("四川省职业技能鉴定指导中心", "510000", "四川省", "province", "centre", None),
    ("成都市人力资源和社会保障局", "510100", "成都市", "city", "hrss", "四川省人力资源和社会保障厅"),
    ("巴中市人力资源和社会保障局", "511900", "巴中市", "city", "hrss", "四川省人力资源和社会保障厅"),
    ("巴中市职业技能鉴定指导中心", "511900", "巴中市", "city", "centre", "巴中市人力资源和社会保障局"),
    ("巴州区人力资源和社会保障局", "511902", "巴州区", "county", "hrss", "巴中市人力资源和社会保障局"),
    ("内蒙古自治区人力资源和社会保障厅", "150000", "内蒙古自治区", "province", "hrss", None),
    ("内蒙古自治区职业技能鉴定管理中心", "150000", "内蒙古自治区", "province", "centre", None),
    ("乌海市人力资源和社会保障局", "150300", "乌海市", "city", "hrss", "内蒙古自治区人力资源和社会保障厅"),
    ("乌海市职业技能鉴定指导中心", "150300", "乌海市", "city", "centre", "乌海市人力资源和社会保障局"),
    ("甘肃省人力资源和社会保障厅", "620000", "甘肃省", "province", "hrss", None),
    ("甘肃省职业技能鉴定指导中心", "620000", "甘肃省", "province", "centre", None),
    ("兰州市人力资源和社会保障局", "620100", "兰州市", "city", "hrss", "甘肃省人力资源和社会保障厅"),
]

# Two regions, one account per role in each: (prefix, hrss authority, centre, institution).
REGIONS = [
    ("bz", "巴中市人力资源和社会保障局", "巴中市职业技能鉴定指导中心",
     ("巴中市恒信职业技能评价中心", "511900", "四川省巴中市巴州区江北大道东段88号", "bz-2023-special")),
    ("wh", "乌海市人力资源和社会保障局", "乌海市职业技能鉴定指导中心",
     ("乌海市海勃湾区技能人才评价中心", "150300", "内蒙古自治区乌海市海勃湾区滨河路16号",
      "nm-2020-special")),
]

ROLE_AUTHORITY = {
    Role.FILING_OFFICIAL: "hrss", Role.APPROVING_OFFICIAL: "hrss", Role.CENTRE_STAFF: "centre",
    Role.EXPERT: "centre", Role.SUPERVISOR: "centre", Role.ASSESSOR: "centre",
}
# 000 二: in 内蒙古 the guidance centres file special-assessment bodies, so 乌海's officials sit there.
CENTRE_FILES = {"wh"}
SURNAMES = "张王李赵刘陈杨黄"


@dataclass
class DemoAccount:
    username: str
    role: str
    where: str


def demo_password() -> str:
    return os.environ.get("SKILLREG_DEMO_PASSWORD", DEFAULT_PASSWORD)


@transaction.atomic
def load_demo() -> tuple[list[DemoAccount], bool]:
    """Create the demo set; returns the accounts and whether anything was created."""
    at = clock.now()
    password = demo_password()
    created = False
    by_name: dict[str, Authority] = {}
    for name, code, region, level, kind, parent in AUTHORITIES:
        auth, made = Authority.objects.get_or_create(
            name=name,
            defaults={"region_code": code, "region_name": region, "level": level, "kind": kind,
                      "parent": by_name.get(parent) if parent else None},
        )
        by_name[name] = auth
        created |= made

    accounts = []
    officials: dict[str, dict[str, User]] = {}
    main_institutions: dict[str, Institution] = {}
    if not User.objects.filter(username="admin").exists():
        admin = user_create(actor=None, username="admin", password=password, role=Role.SYSADMIN,
                            display_name="系统管理员", at=at)
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        created = True
    accounts.append(DemoAccount("admin", Role.SYSADMIN.label, "全部"))

    for index, (prefix, hrss_name, centre_name, inst) in enumerate(REGIONS):
        hrss, centre = by_name[hrss_name], by_name[centre_name]
        inst_name, region_code, address, pack_id = inst
        institution = Institution.objects.filter(name=inst_name).first()
        if institution is None:
            institution = institution_register(
                actor=None, name=inst_name, credit_code=make_credit_code(region_code, 1000 + index),
                body_kind=BodyKind.SOCIAL_BODY, legal_representative="刘建国", address=address,
                region_code=region_code, authority=hrss, pack_id=pack_id, at=at,
            )
            created = True
        main_institutions[prefix] = institution
        officials[prefix] = {}
        for n, role in enumerate(Role):
            if role == Role.SYSADMIN:
                continue
            username = f"{prefix}-{role.value.replace('_', '-')}"
            home = centre if ROLE_AUTHORITY.get(role) == "centre" or prefix in CENTRE_FILES else hrss
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=None, username=username, password=password, role=role,
                    display_name=f"{SURNAMES[n]}{role.label}",
                    authority=None if role == Role.INSTITUTION_USER else home,
                    institution=institution if role == Role.INSTITUTION_USER else None, at=at,
                )
                created = True
            officials[prefix][role.value.split("_")[0]] = user
            where = inst_name if role == Role.INSTITUTION_USER else home.name
            accounts.append(DemoAccount(username, role.label, where))
    if not Occupation.objects.exists():
        call_command("import-occupations", stdout=io.StringIO())
    created |= load_demo_filings(officials=officials, main_institutions=main_institutions) > 0
    return accounts, created
