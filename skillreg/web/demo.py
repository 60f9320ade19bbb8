"""Demo data: what ``make run`` shows — every path of the system with realistic Chinese data.

Authorities of the five regimes; one account per role in 巴中 and 乌海, the 乌海 人社局's
officials (who file 职业技能等级认定 bodies), 甘肃's officials; expert and assessor pools;
applications in every state with real expert panels; the institutions' later life;
supervision; exams and certificates; archives and an answer-sheet screening.

Everything is made through the services the pages call, with backdated ``at`` values (the
demo's "now" is ``clock.now()``), so the audit chain holds and every deadline is computed
as it would have been. Each part is guarded: running the command again creates nothing.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from skillreg.accounts.factories import DEFAULT_PASSWORD
from skillreg.accounts.models import Authority, Role
from skillreg.core import clock
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import BodyKind, Institution, Occupation
from skillreg.registry.services import institution_register
from skillreg.web import demo_archives, demo_exams, demo_lifecycle, demo_people, demo_supervision
from skillreg.web.demo_common import Demo, demo_account
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
    # 003 三(五): a 乌海 enterprise reports to 鄂尔多斯 before assessing its workers there.
    ("鄂尔多斯市人力资源和社会保障局", "150600", "鄂尔多斯市", "city", "hrss", "内蒙古自治区人力资源和社会保障厅"),
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
# When each main institution registered: before its filing application (see demo_filings).
REGISTERED_DAYS_AGO = {"bz": 430, "wh": 10, "gs": 160}

# 甘肃's main institution (004: 兰州 receives, the province centre reviews and draws the experts).
GS_INSTITUTION = ("兰州市城关区电子商务职业培训学校", "620102", "甘肃省兰州市城关区雁滩路2999号", "gs-2022-special")

# Further named accounts: (username, role, display name, authority) — the 乌海 人社局 files
# 职业技能等级认定 bodies (nm-2021: 003 二(一), routed to the city 人社部门); 甘肃's officials.
EXTRA_ACCOUNTS = [
    ("wh-hrss-filing-official", Role.FILING_OFFICIAL, "孙经办人员", "乌海市人力资源和社会保障局"),
    ("wh-hrss-approving-official", Role.APPROVING_OFFICIAL, "周审批人员", "乌海市人力资源和社会保障局"),
    ("gs-filing-official", Role.FILING_OFFICIAL, "马经办人员", "兰州市人力资源和社会保障局"),
    ("gs-approving-official", Role.APPROVING_OFFICIAL, "丁审批人员", "兰州市人力资源和社会保障局"),
    ("gs-centre-staff", Role.CENTRE_STAFF, "牛鉴定中心人员", "甘肃省职业技能鉴定指导中心"),
]

# The apps whose rows the summary counts, in the order a reader meets them.
COUNTED_APPS = ("accounts", "registry", "evaluation", "draws", "supervision", "exams", "certificates",
                "archives", "files", "notifications", "audit")


@dataclass
class DemoAccount:
    username: str
    role: str
    where: str


@dataclass
class DemoResult:
    accounts: list[DemoAccount]
    # Rows created by this run, per app label (0 everywhere on a second run).
    created_rows: dict[str, int] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        return any(self.created_rows.values())

    def counts_line(self) -> str:
        """One line: what this run created, per app (the command prints it after the summary)."""
        parts = [f"{apps.get_app_config(label).verbose_name} {n}" for label, n in self.created_rows.items() if n]
        return "本次新建记录：" + ("、".join(parts) if parts else "无") + "。"


def demo_password() -> str:
    return os.environ.get("SKILLREG_DEMO_PASSWORD", DEFAULT_PASSWORD)


def row_counts() -> dict[str, int]:
    """Rows per counted app (every model of the app, m2m tables excluded)."""
    return {label: sum(model._default_manager.count() for model in apps.get_app_config(label).get_models())
            for label in COUNTED_APPS}


def _authorities() -> dict[str, Authority]:
    by_name: dict[str, Authority] = {}
    for name, code, region, level, kind, parent in AUTHORITIES:
        by_name[name], _ = Authority.objects.get_or_create(
            name=name,
            defaults={"region_code": code, "region_name": region, "level": level, "kind": kind,
                      "parent": by_name.get(parent) if parent else None},
        )
    return by_name


def _main_institution(name: str, region_code: str, address: str, pack_id: str, authority: Authority,
                      serial: int, registered_days_ago: int, demo: Demo) -> Institution:
    institution = Institution.objects.filter(name=name).first()
    if institution is None:
        institution = institution_register(
            actor=None, name=name, credit_code=make_credit_code(region_code, serial),
            body_kind=BodyKind.SOCIAL_BODY, legal_representative="刘建国", address=address,
            region_code=region_code, authority=authority, pack_id=pack_id, at=demo.ago(registered_days_ago, 9),
            contact_phone="0827-5261188" if region_code.startswith("51") else "0473-3126688",
        )
    return institution


def _accounts(demo: Demo, password: str) -> tuple[list[DemoAccount], dict[str, Institution]]:
    """The named accounts (all with the demo password) and the main institution of each region."""
    accounts = []
    main_institutions: dict[str, Institution] = {}
    admin, made = demo_account(username="admin", password=password, role=Role.SYSADMIN,
                               display_name="系统管理员", at=demo.now)
    if made:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    accounts.append(DemoAccount("admin", Role.SYSADMIN.label, "全部"))

    for index, (prefix, hrss_name, centre_name, inst) in enumerate(REGIONS):
        hrss, centre = demo.authority(hrss_name), demo.authority(centre_name)
        inst_name, region_code, address, pack_id = inst
        institution = _main_institution(inst_name, region_code, address, pack_id, hrss, 1000 + index,
                                        REGISTERED_DAYS_AGO[prefix], demo)
        main_institutions[prefix] = institution
        for n, role in enumerate(Role):
            if role == Role.SYSADMIN:
                continue
            username = f"{prefix}-{role.value.replace('_', '-')}"
            home = centre if ROLE_AUTHORITY.get(role) == "centre" or prefix in CENTRE_FILES else hrss
            demo_account(
                username=username, password=password, role=role, display_name=f"{SURNAMES[n]}{role.label}",
                authority=None if role == Role.INSTITUTION_USER else home,
                institution=institution if role == Role.INSTITUTION_USER else None, at=demo.now,
            )
            where = inst_name if role == Role.INSTITUTION_USER else home.name
            accounts.append(DemoAccount(username, role.label, where))

    for username, role, display_name, authority_name in EXTRA_ACCOUNTS:
        demo_account(username=username, password=password, role=role, display_name=display_name,
                     authority=demo.authority(authority_name), at=demo.now)
        accounts.append(DemoAccount(username, role.label, authority_name))
    name, region_code, address, pack_id = GS_INSTITUTION
    gs_main = _main_institution(name, region_code, address, pack_id, demo.authority("兰州市人力资源和社会保障局"),
                                1002, REGISTERED_DAYS_AGO["gs"], demo)
    main_institutions["gs"] = gs_main
    demo_account(username="gs-institution-user", password=password, role=Role.INSTITUTION_USER,
                 display_name="白机构用户", institution=gs_main, at=demo.now)
    accounts.append(DemoAccount("gs-institution-user", Role.INSTITUTION_USER.label, name))
    return accounts, main_institutions


@transaction.atomic
def demo_load() -> DemoResult:
    """Create whatever of the demo set is missing; returns the accounts and what was created."""
    before = row_counts()
    demo = Demo(now=clock.now(), by_name=_authorities())
    accounts, main_institutions = _accounts(demo, demo_password())
    if not Occupation.objects.exists():
        call_command("import-occupations", stdout=io.StringIO())
    demo_people.load_pools(demo)
    load_demo_filings(demo, main_institutions=main_institutions)
    demo_lifecycle.load(demo)
    demo_exams.load(demo)
    demo_supervision.load(demo)
    demo_archives.load(demo)
    after = row_counts()
    return DemoResult(accounts=accounts, created_rows={k: after[k] - before[k] for k in COUNTED_APPS})


def load_demo() -> tuple[list[DemoAccount], bool]:
    """Create the demo set; returns the accounts and whether anything was created."""
    result = demo_load()
    return result.accounts, result.created
