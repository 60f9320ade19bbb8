"""Demo applications in every state, in every regime, made through the real services.

Each application walks from draft to its state a day per step from its start; those that
reach the evaluation get a real panel (drawn, scored by each expert, concluded). The
filed institutions here are the ones the later parts of the demo build on: their
lifecycle (``demo_lifecycle``), exams (``demo_exams``) and supervision (``demo_supervision``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock
from skillreg.policies.registry import get_pack
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import Application, BodyKind, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.services.institutions import institution_register
from skillreg.registry.tests.builders import gs_form, sc_form
from skillreg.web import demo_panels, demo_people
from skillreg.web.demo_common import Demo, add_years, demo_account, pdf

S = Application.Status
BZ_HRSS = "巴中市人力资源和社会保障局"
WH_CENTRE = "乌海市职业技能鉴定指导中心"
WH_HRSS = "乌海市人力资源和社会保障局"
LZ_HRSS = "兰州市人力资源和社会保障局"

# The material each regime's form is uploaded as.
MATERIAL = {"bz-2023-special": "application-form", "sc-2021-appraisal": "filing-form",
            "nm-2020-special": "feasibility", "gs-2022-special": "report", "nm-2021-skill-level": "other"}


@dataclass(frozen=True)
class Org:
    """An applicant: name, kind, regime, where, and its projects (special) or None (the 备案表's
    occupations and levels)."""

    name: str
    kind: str
    pack_id: str
    region: str
    serial: int
    projects: tuple[str, ...] | None = None
    legal_representative: str = "李国强"
    phone: str = ""


@dataclass(frozen=True)
class Staff:
    """Who handles a region's applications: the clerk accepts, the handler runs the panel,
    the approver decides (never the clerk: two people)."""

    clerk: str
    approver: str
    handler: str = ""


def form_for(org: Org, institution: Institution) -> dict[str, Any]:
    if org.pack_id == "sc-2021-appraisal":
        return sc_form(institution)
    if org.pack_id == "nm-2021-skill-level":
        # 003: 职业技能等级认定 by occupation and level; the body keeps its own name.
        return sc_form(institution, station_name=institution.name)
    projects = org.projects or ("农村电商运营",)
    return gs_form(institution, scope=[{"name": p, "levels": [], "assessors": 3} for p in projects])


def register(demo: Demo, org: Org, authority: Authority, at: dt.datetime) -> tuple[Institution, User]:
    """The body registers (and gets its one account, which cannot sign in)."""
    institution = institution_register(
        actor=None, name=org.name, credit_code=make_credit_code(org.region[:4] + "00", org.serial),
        body_kind=org.kind, legal_representative=org.legal_representative,
        address=f"{authority.region_name}{_street(org.serial)}", region_code=org.region, authority=authority,
        pack_id=org.pack_id, at=at, contact_phone=org.phone or _phone(org.region, org.serial))
    user, _ = demo_account(username=f"inst-{org.serial}", role=Role.INSTITUTION_USER, password=None,
                           display_name=f"{org.name}经办人", institution=institution, at=at)
    return institution, user


def _street(serial: int) -> str:
    streets = ("回风大道", "江北大道西段", "望王山路", "兴文路", "人民路", "滨河东路", "朝阳路", "黄河西街", "新华大街")
    return f"{streets[serial % len(streets)]}{serial % 97 + 3}号"


def _phone(region: str, serial: int) -> str:
    area = {"51": "0827", "15": "0473", "62": "0931"}[region[:2]]
    return f"{area}-{5200000 + serial * 37 % 99991:07d}"


def walk(demo: Demo, user: User, form: dict[str, Any], *, to: str, staff: Staff, start: dt.datetime,
         evaluation: dict[str, Any] | None = None) -> Application:
    """Create and move an application to status ``to``, a day per step from ``start``."""
    day = dt.timedelta(days=1)
    clerk, approver = User.objects.get(username=staff.clerk), User.objects.get(username=staff.approver)
    handler = User.objects.get(username=staff.handler or staff.clerk)
    app = svc.application_create(actor=user, institution=user.institution, form=form, at=start)  # type: ignore[arg-type]
    if to == S.DRAFT:
        return app
    svc.application_attach_material(actor=user, application=app, key=MATERIAL[app.pack_id],
                                    upload=pdf("备案申请材料.pdf"), at=start + dt.timedelta(minutes=20))
    if to == S.WITHDRAWN:
        return svc.application_withdraw(actor=user, application=app, at=start + day)
    app = svc.application_submit(actor=user, application=app, at=start + day)
    if to == S.SUBMITTED:
        return app
    if to in (S.SUPPLEMENT_REQUESTED, S.TERMINATED):
        svc.application_request_supplement(actor=clerk, application=app, at=start + 2 * day, items=[
            {"text": "操作技能考核场地设备清单缺少型号、数量", "source": ""},
            {"text": "考评人员资格证明扫描件不清晰，请重新上传", "source": ""}])
        if to == S.TERMINATED:
            svc.application_terminate_overdue(application=app, at=demo.now)
        app.refresh_from_db()
        return app
    accepted = start + 2 * day
    app = svc.application_accept(actor=clerk, application=app, at=accepted)
    pack = get_pack(app.pack_id)
    evaluation_at = start + 3 * day
    if pack.clocks.evaluation_plan.workdays is not None:
        # 004 五(二): the plan is filed first; the panel is drawn on the evaluation day.
        evaluation_at = demo_panels.file_plan(demo, app, clerk=clerk, at=accepted + dt.timedelta(hours=2))
    if to == S.ACCEPTED:
        return app
    if to == S.REFUSED and pack.evaluation.methods.silent:
        return svc.application_refuse(actor=approver, application=app, at=start + 3 * day,
                                      reason="现场核查发现考核场地与申报项目不相适应，且无法按要求整改",
                                      source="000 三(三)")
    ended = evaluation_at
    if not pack.evaluation.methods.silent:
        options = {"finish": to != S.EVALUATING, "passed": to != S.REFUSED, **(evaluation or {})}
        ended = demo_panels.evaluate(demo, app, handler=handler, at=evaluation_at, **options)
    app.refresh_from_db()
    if to in (S.EVALUATING, S.EVALUATED):
        return app
    decided = demo.on(ended.astimezone(clock.LOCAL_TZ).date() + day, 10)
    if to == S.REFUSED:
        return svc.application_refuse(actor=approver, application=app, at=decided, source="000 三(三)",
                                      reason="专家组评估不合格：实操考场面积和设备数量不能满足考核规范要求")
    decisions.application_file(actor=approver, application=app, at=decided)
    app.refresh_from_db()
    return app


def start_for_validity(demo: Demo, *, years: int, valid_until: dt.date) -> dt.datetime:
    """The start of a walk that files the institution so that its validity ends on ``valid_until``
    (filed on day 4 of the walk; the validity runs ``years`` less a day from the filing)."""
    filed_on = add_years(valid_until + dt.timedelta(days=1), -years)
    return demo.on(filed_on - dt.timedelta(days=4), 9)


# --- 巴中: bz-2023-special (专项) and sc-2021-appraisal (鉴定所) -----------------------------

BZ_STAFF = Staff(clerk="bz-filing-official", approver="bz-approving-official")
# Filed about three years ago (the first panels: the founding experts) — one is renewed in
# time (demo_lifecycle), one expires within 60 days.
BZ_RENEWED = Org("巴中市巴州区家庭服务职业技能评价中心", BodyKind.SOCIAL_BODY, "bz-2023-special", "511902", 2101,
                 ("家政服务",), legal_representative="苟春华")
BZ_EXPIRING = Org("巴中市平昌县技能人才评价中心", BodyKind.SOCIAL_BODY, "bz-2023-special", "511923", 2102,
                  ("茶叶加工",), legal_representative="冉德勇")
BZ_LATER = [
    # (org, status, start days ago)
    (Org("四川巴中宏达建设集团有限公司", BodyKind.ENTERPRISE, "sc-2021-appraisal", "511902", 2103,
         legal_representative="何宏达"), S.FILED, 620),
    (Org("巴中市第二技工学校", BodyKind.TECHNICAL_SCHOOL, "sc-2021-appraisal", "511902", 2006,
         legal_representative="王德全"), S.FILED, 320),
    (Org("巴中市巴州区家政服务职业培训学校", BodyKind.SOCIAL_BODY, "bz-2023-special", "511902", 2001,
         ("家政服务",)), S.DRAFT, 12),
    (Org("巴中市恩阳区电子商务协会", BodyKind.SOCIAL_BODY, "bz-2023-special", "511903", 2002,
         ("农村电商运营",)), S.SUBMITTED, 12),
    (Org("巴中市南江县茶艺技能评价中心", BodyKind.SOCIAL_BODY, "bz-2023-special", "511922", 2003,
         ("茶艺",)), S.SUPPLEMENT_REQUESTED, 12),
    (Org("巴中市通江县银耳种植技术服务中心", BodyKind.SOCIAL_BODY, "bz-2023-special", "511921", 2004,
         ("银耳栽培",)), S.ACCEPTED, 12),
    (Org("巴中市平昌县中式面点培训学校", BodyKind.SOCIAL_BODY, "bz-2023-special", "511923", 2005,
         ("中式面点制作",)), S.EVALUATING, 12),
    (Org("巴中市建筑安装工程有限公司", BodyKind.ENTERPRISE, "sc-2021-appraisal", "511902", 2007),
     S.TERMINATED, 30),
]


def _bazhong(demo: Demo, main: Institution) -> int:
    hrss = demo.authority(BZ_HRSS)
    count = 0
    # The two oldest filings, while the pool holds only its three founding experts.
    for org, until in ((BZ_RENEWED, demo.day(20)), (BZ_EXPIRING, demo.day(40))):
        start = start_for_validity(demo, years=3, valid_until=until)
        _, user = register(demo, org, hrss, start - dt.timedelta(days=30))
        walk(demo, user, form_for(org, user.institution), to=S.FILED, staff=BZ_STAFF, start=start)  # type: ignore[arg-type]
        count += 1
    demo_people.add_later_experts(demo, "bz", demo.ago(900, 9))
    # 巴中市恒信职业技能评价中心: the main demo body (bz-institution-user), filed 13 months ago.
    main_user = User.objects.get(username="bz-institution-user")
    walk(demo, main_user, gs_form(main), to=S.FILED, staff=BZ_STAFF, start=demo.ago(400, 9))
    count += 1
    registered = []
    for org, status, days in BZ_LATER:
        _, user = register(demo, org, hrss, demo.ago(days + 20, 9))
        registered.append((org, user, status, days))
    demo_people.declare_conflicts(demo, "bz", demo.ago(15, 9))
    for org, user, status, days in registered:
        walk(demo, user, form_for(org, user.institution), to=status, staff=BZ_STAFF,  # type: ignore[arg-type]
             start=demo.ago(days, 9))
        count += 1
    return count


# --- 乌海: nm-2020-special (filed by the city centre, 000 二) ----------------------------------

WH_STAFF = Staff(clerk="wh-filing-official", approver="wh-approving-official")
WH_CANCELLED = Org("乌海市乌达区家政服务职业培训学校", BodyKind.SOCIAL_BODY, "nm-2020-special", "150304", 3101,
                   ("家政服务",), legal_representative="高玉梅")
WH_LATER = [
    (Org("乌海市海南区烹饪职业技能培训中心", BodyKind.SOCIAL_BODY, "nm-2020-special", "150303", 3001,
         ("蒙餐烹饪",)), S.FILED, 20, {}),
    (Org("乌海市乌达区养老护理服务中心", BodyKind.SOCIAL_BODY, "nm-2020-special", "150304", 3002,
         ("养老护理（失能老人照护）",)), S.EVALUATED, 20, {"decline": True}),
    (Org("乌海市海勃湾区美容美发协会", BodyKind.SOCIAL_BODY, "nm-2020-special", "150302", 3003,
         ("美发造型",)), S.REFUSED, 20, {}),
    (Org("乌海市某汽车维修服务公司", BodyKind.ENTERPRISE, "nm-2020-special", "150302", 3004,
         ("汽车快修保养",)), S.WITHDRAWN, 20, {}),
]


def _wuhai(demo: Demo, main: Institution) -> int:
    centre = demo.authority(WH_CENTRE)
    # The region's first panel (the founding experts, wh-expert among them): filed 13 months
    # ago, cancelled later at the body's request (demo_lifecycle).
    start = demo.ago(410, 9)
    _, user = register(demo, WH_CANCELLED, centre, start - dt.timedelta(days=20))
    walk(demo, user, form_for(WH_CANCELLED, user.institution), to=S.FILED, staff=WH_STAFF, start=start)  # type: ignore[arg-type]
    demo_people.add_later_experts(demo, "wh", demo.ago(300, 9))
    count = 1
    main_user = User.objects.get(username="wh-institution-user")
    walk(demo, main_user, gs_form(main, scope=[{"name": "葡萄酒酿造", "levels": [], "assessors": 3}]),
         to=S.SUBMITTED, staff=WH_STAFF, start=demo.ago(3, 9))
    count += 1
    for org, status, days, evaluation in WH_LATER:
        _, user = register(demo, org, centre, demo.ago(days + 15, 9))
        walk(demo, user, form_for(org, user.institution), to=status, staff=WH_STAFF,  # type: ignore[arg-type]
             start=demo.ago(days, 9), evaluation=evaluation)
        count += 1
    return count


# --- 乌海: nm-2021-skill-level (职业技能等级认定, routed to the city 人社局, 003 二(一)) -------------

NM_STAFF = Staff(clerk="wh-hrss-filing-official", approver="wh-hrss-approving-official")
NM_SOCIAL_CRITICISED = Org("乌海市众鑫职业技能评价有限公司", BodyKind.SOCIAL_BODY, "nm-2021-skill-level", "150302",
                           3201, legal_representative="张鑫")
NM_SOCIAL_BLACKLISTED = Org("乌海市鼎诚技能评价服务中心", BodyKind.SOCIAL_BODY, "nm-2021-skill-level", "150303",
                            3202, legal_representative="赵鼎诚")
NM_ENTERPRISE = Org("乌海市恒源煤化工集团有限公司", BodyKind.ENTERPRISE, "nm-2021-skill-level", "150304", 3203,
                    legal_representative="郭恒源")
NM_BODIES = [(NM_SOCIAL_CRITICISED, 520), (NM_SOCIAL_BLACKLISTED, 470), (NM_ENTERPRISE, 430)]


def _nm_skill_level(demo: Demo) -> int:
    hrss = demo.authority(WH_HRSS)
    count = 0
    for org, days in NM_BODIES:
        if Institution.objects.filter(name=org.name).exists():
            continue
        _, user = register(demo, org, hrss, demo.ago(days + 25, 9))
        # 003 sets no evaluation: filed once the city accepts the application.
        walk(demo, user, form_for(org, user.institution), to=S.FILED, staff=NM_STAFF,  # type: ignore[arg-type]
             start=demo.ago(days, 9))
        count += 1
    return count


# --- 甘肃: gs-2022-special (兰州 receives, the province centre reviews and draws the experts) --------

GS_STAFF = Staff(clerk="gs-filing-official", approver="gs-approving-official", handler="gs-centre-staff")
GS_WAITING = Org("兰州市七里河区餐饮职业技能培训学校", BodyKind.SOCIAL_BODY, "gs-2022-special", "620103", 4001,
                 ("中式面点制作",), legal_representative="马永福")


def _gansu(demo: Demo, main: Institution) -> int:
    if Application.objects.filter(institution=main).exists():
        return 0
    main_user = User.objects.get(username="gs-institution-user")
    walk(demo, main_user, gs_form(main), to=S.FILED, staff=GS_STAFF, start=demo.ago(150, 9))
    # Accepted three days ago; the evaluation plan is filed and the panel not yet drawn.
    _, user = register(demo, GS_WAITING, demo.authority(LZ_HRSS), demo.ago(20, 9))
    walk(demo, user, form_for(GS_WAITING, user.institution), to=S.ACCEPTED, staff=GS_STAFF,  # type: ignore[arg-type]
         start=demo.ago(5, 9))
    return 2


def load_demo_filings(demo: Demo, *, main_institutions: dict[str, Institution]) -> int:
    """Every application of the demo; each group once (guarded), returns how many were made."""
    count = 0
    if not Application.objects.filter(institution__region_code__startswith="51").exists():
        count += _bazhong(demo, main_institutions["bz"])
    if not Application.objects.filter(institution__pack_id="nm-2020-special").exists():
        count += _wuhai(demo, main_institutions["wh"])
    count += _nm_skill_level(demo)
    count += _gansu(demo, main_institutions["gs"])
    return count
