"""The demo's pools: evaluation experts (专家库) and assessors (考评员库).

Experts are added through ``evaluation.services.expert_add``. Each pool starts with three
founding members, ``bz-expert`` / ``wh-expert`` among them; the first panel of each region
is drawn while the pool holds just those three, so the named expert accounts are certainly
on a panel (a draw is random; a pool of three for a panel of three is not). The rest of each
pool joins afterwards (``add_later_experts``, dated after that first draw), so every stored
draw lists exactly the pool as it stood on its day.

Assessors are added through ``exams.services.assessors.assessor_add`` by their centre's staff,
each with a seeded, valid 身份证号码 (born in the assessor's county). The same founding trick
makes ``bz-assessor`` certainly dispatched to the first sitting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from skillreg.accounts.models import Role, User
from skillreg.evaluation.models import Expert
from skillreg.evaluation.services import conflict_declare, expert_add, expert_deactivate
from skillreg.exams.models import Assessor
from skillreg.exams.services.assessors import CertificateIn, assessor_add
from skillreg.registry.models import Institution
from skillreg.web.demo_common import Demo, People, demo_account

# (pool authority, manager username, account prefix, region code of the pool's experts)
POOLS = {
    "bz": ("巴中市人力资源和社会保障局", "bz-filing-official", "巴中市职业技能鉴定指导中心", "511900"),
    "wh": ("乌海市职业技能鉴定指导中心", "wh-filing-official", "乌海市职业技能鉴定指导中心", "150300"),
    "gs": ("甘肃省职业技能鉴定指导中心", "gs-centre-staff", "甘肃省职业技能鉴定指导中心", "620000"),
}

# (name, employer, specialties, account) — account None: a pool-only account, no sign-in.
FOUNDING_EXPERTS: dict[str, list[tuple[str, str, list[str], str | None]]] = {
    "bz": [("刘志远", "巴中职业技术学院", ["电子商务", "农村电商运营"], "bz-expert"),
           ("何晓梅", "巴中市农业技术推广站", ["银耳种植", "农产品电商"], None),
           ("苟建军", "巴中市烹饪协会", ["中式面点制作", "中式烹调"], None)],
    "wh": [("巴特尔", "乌海职业技术学院", ["中式烹调", "中式面点制作"], "wh-expert"),
           ("张海燕", "乌海市人民医院护理部", ["养老护理", "医疗护理员"], None),
           ("王建军", "乌海市餐饮行业协会", ["中式烹调", "烹饪"], None)],
    "gs": [("马国栋", "甘肃省电子商务发展促进中心", ["电子商务", "农村电商运营"], None),
           ("赵丽萍", "兰州职业技术学院", ["电子商务", "网络营销"], None),
           ("杨永福", "甘肃农业大学", ["农产品加工", "高原夏菜种植"], None),
           ("丁明", "甘肃省烹饪协会", ["兰州牛肉拉面制作", "中式面点制作"], None)],
}
LATER_EXPERTS: dict[str, list[tuple[str, str, list[str]]]] = {
    "bz": [("向丽娟", "巴中市电子商务公共服务中心", ["电子商务", "直播销售"]),
           ("岳明德", "四川巴中经济开发区管理委员会", ["电工", "焊工"]),
           ("冉光辉", "南江县茶叶产业发展中心", ["茶艺", "茶叶加工"]),
           ("杜春燕", "巴中市家庭服务业协会", ["家政服务", "养老护理"]),
           ("罗永强", "平昌县职业中学", ["中式面点制作", "中式烹调"]),
           ("熊文斌", "巴中市中心医院康复科", ["保健按摩"])],
    "wh": [("其木格", "乌海市美容美发行业协会", ["美容美发"]),
           ("李志强", "乌海市职业技能公共实训基地", ["电工", "焊工"]),
           ("刘红梅", "乌海市家庭服务业协会", ["家政服务", "养老护理"])],
}
# An expert who left the pool (出库) and one declared conflict (回避), as pools have.
LEAVER = ("bz", "熊文斌")
CONFLICT = ("bz", "罗永强", "巴中市平昌县中式面点培训学校", "2024 年起在该校兼职授课，与申请单位存在利害关系")


def _pool_account(prefix: str, username: str | None, name: str, centre: str, demo: Demo,
                  at: dt.datetime) -> User:
    if username is not None:
        return demo.user(username)
    taken = User.objects.filter(username__startswith=f"{prefix}-expert-").count()
    user, _ = demo_account(username=f"{prefix}-expert-{taken + 2:02d}", password=None, role=Role.EXPERT,
                           display_name=name, authority=demo.authority(centre), at=at)
    return user


def _add_experts(demo: Demo, prefix: str, rows: Sequence[tuple[str, str, list[str], str | None]],
                 at: dt.datetime) -> list[Expert]:
    pool_name, manager, centre, region = POOLS[prefix]
    pool = demo.authority(pool_name)
    added = []
    for name, employer, specialties, username in rows:
        if Expert.objects.filter(authority=pool, name=name).exists():
            continue
        # Every expert who may be drawn has an account: only the expert may submit their score.
        user = _pool_account(prefix, username, name, centre, demo, at)
        added.append(expert_add(actor=demo.user(manager), name=name, employer=employer, region_code=region,
                                authority=pool, specialties=specialties, user=user, at=at))
    return added


def load_pools(demo: Demo) -> None:
    """The founding experts of each pool and the founding assessors (before any draw)."""
    _add_experts(demo, "bz", FOUNDING_EXPERTS["bz"], demo.ago(1500, 9))
    _add_experts(demo, "wh", FOUNDING_EXPERTS["wh"], demo.ago(700, 9))
    _add_experts(demo, "gs", FOUNDING_EXPERTS["gs"], demo.ago(400, 9))
    load_assessors(demo, FOUNDING_ASSESSORS, at=demo.ago(800, 9))


def add_later_experts(demo: Demo, prefix: str, at: dt.datetime) -> None:
    """The rest of a pool, after its first panel; one of them leaves the pool 500 days later."""
    _add_experts(demo, prefix, [(*row, None) for row in LATER_EXPERTS.get(prefix, [])], at)
    if LEAVER[0] == prefix:
        expert = Expert.objects.get(authority=demo.authority(POOLS[prefix][0]), name=LEAVER[1])
        if expert.active:
            expert_deactivate(actor=demo.user(POOLS[prefix][1]), expert=expert, at=at + dt.timedelta(days=500))


def declare_conflicts(demo: Demo, prefix: str, at: dt.datetime) -> None:
    """A declared conflict (回避): the expert is then excluded, with the reason, from that body's draw."""
    if CONFLICT[0] != prefix:
        return
    expert = Expert.objects.get(authority=demo.authority(POOLS[prefix][0]), name=CONFLICT[1])
    institution = Institution.objects.filter(name=CONFLICT[2]).first()
    if institution is not None and not expert.conflicts.filter(institution=institution).exists():
        conflict_declare(actor=demo.user(POOLS[prefix][1]), expert=expert, institution=institution,
                         reason=CONFLICT[3], at=at)


# --- assessors ------------------------------------------------------------------------------

# (account or None, name, region, employer, [(scope, level, certificate number)])
AssessorRow = tuple[str | None, str, str, str, list[tuple[str, int | None, str]]]

FOUNDING_ASSESSORS: list[AssessorRow] = [
    ("bz-assessor", "杨德明", "511902", "巴中职业技术学院",
     [("农村电商运营", None, "ZXKP5119230011"), ("中式面点制作", None, "ZXKP5119230012")]),
    (None, "谢婷", "511902", "巴中市巴州区电子商务协会", [("农村电商运营", None, "ZXKP5119230027")]),
    (None, "苟小平", "511921", "通江县电子商务进农村综合服务中心", [("农村电商运营", None, "ZXKP5119230035")]),
    (None, "王丽", "511902", "巴中市烹饪协会", [("中式面点制作", None, "ZXKP5119230041")]),
    (None, "赵强", "511902", "四川巴中经济开发区管理委员会", [("电工", 3, "KP5119200198")]),
    ("wh-assessor", "乌兰", "150302", "乌海市职业技能公共实训基地", [("电工", 3, "KP1503210006")]),
    (None, "郭建平", "150303", "乌海市能源行业协会", [("电工", 2, "KP1503190013"), ("焊工", 3, "KP1503190014")]),
    (None, "苏日娜", "150302", "乌海职业技术学院", [("中式烹调", 4, "KP1503220021")]),
]
# Certified after the first sitting: the next team can rotate (002 第十五条). 蒲秀英 works for
# 恒信 itself, so she is never dispatched to its sittings (回避).
LATER_ASSESSORS: list[AssessorRow] = [
    (None, "李文静", "511903", "巴中市恩阳区电商产业园", [("农村电商运营", None, "ZXKP5119250052")]),
    (None, "陈刚", "511922", "南江县职业中学", [("农村电商运营", None, "ZXKP5119250058")]),
    (None, "蒲秀英", "511902", "巴中市恒信职业技能评价中心", [("农村电商运营", None, "ZXKP5119250063")]),
    (None, "何秀兰", "511902", "巴中市家庭服务业协会", [("家政服务", None, "ZXKP5119240071")]),
    (None, "邓春燕", "511903", "恩阳区妇女儿童服务中心", [("家政服务", None, "ZXKP5119240074")]),
    (None, "苏明", "511921", "通江县职业中学", [("家政服务", None, "ZXKP5119240078")]),
]
CENTRES = {"51": ("巴中市职业技能鉴定指导中心", "bz-centre-staff", "bz"),
           "15": ("乌海市职业技能鉴定指导中心", "wh-centre-staff", "wh")}


def load_assessors(demo: Demo, rows: Sequence[AssessorRow], *, at: dt.datetime) -> None:
    for username, name, region, employer_name, certs in rows:
        if Assessor.objects.filter(name=name, region_code__startswith=region[:4]).exists():
            continue
        centre_name, staff, prefix = CENTRES[region[:2]]
        if username is None:
            taken = User.objects.filter(username__startswith=f"{prefix}-assessor-").count()
            user, _ = demo_account(username=f"{prefix}-assessor-{taken + 2:02d}", password=None,
                                   role=Role.ASSESSOR, display_name=name,
                                   authority=demo.authority(centre_name), at=at)
        else:
            user = demo.user(username)
        employer = Institution.objects.filter(name=employer_name).first()
        until = demo.day(3 * 365)
        # Seeded by the name: the same number on every run, whichever list the assessor is in.
        id_number = People(f"assessor-{name}").person((region,), born=(1966, 1992)).id_number
        assessor_add(actor=demo.user(staff), name=name, id_number=id_number, region_code=region,
                     employer_name=employer_name, employer=employer, user=user, at=at,
                     certificates=[CertificateIn(scope_name=scope, level=level, number=number, valid_until=until)
                                   for scope, level, number in certs])
