"""Supervision: a 双随机 inspection in 巴中 with findings and published results; grades (one
不合格 with an open rectification); violations — 通报批评, a revocation with the 失信黑名单,
a revocation proposal waiting for the approver; complaints in each state (one overdue); the
inactivity sweep, one flag dismissed and staying dismissed; the annual work plans and
summaries of 002 第五条(五) — on time, late, and missing (overdue). Through
``supervision.services`` with backdated ``at`` values.
"""

from __future__ import annotations

import datetime as dt

from skillreg.accounts.models import Role
from skillreg.registry.models import Institution
from skillreg.supervision.models import (
    AnnualReport,
    Complaint,
    Evaluation,
    InactivityFlag,
    InspectionFinding,
    InspectionPlan,
    TerminationProposal,
    ViolationRecord,
)
from skillreg.supervision.models.inspections import Inspection
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services import (
    complaints,
    grading,
    inactivity,
    inspections,
    reports,
    sanctions,
    violations,
)
from skillreg.web.demo_common import Demo, demo_account
from skillreg.web.demo_filings import BZ_EXPIRING, BZ_RENEWED, NM_SOCIAL_BLACKLISTED, NM_SOCIAL_CRITICISED

BZ_HRSS = "巴中市人力资源和社会保障局"
MAIN_BZ = "巴中市恒信职业技能评价中心"
HONGDA = "四川巴中宏达建设集团有限公司职业技能考核鉴定所"
COOKING = "乌海市海南区烹饪职业技能培训中心"
ITEMS = ["hardware", "monitoring", "staffing", "procedures", "fees", "archives"]
# The first body drawn is found wanting on two items; the others conform.
ISSUES = {
    "monitoring": "联网监控录像仅保存 7 天，达不到考核全过程可追溯的要求（002 第七条(三)）",
    "archives": "2026 年第一期阅卷评分表未按考核批次分类存档，部分评分表缺考评员签名",
}
CONFORM_NOTES = {
    "hardware": "理论考场 2 间、实操考场 1 间，电脑 40 台，与备案考核项目相符",
    "monitoring": "监控设备运行正常，录像保存 90 天",
    "staffing": "专职管理人员 3 名，到岗",
    "procedures": "考务管理、保密管理制度上墙，执行记录完整",
    "fees": "收费标准在考点公示，与物价部门核定标准一致",
    "archives": "考核资料按批次分类存档",
}


def _institution(name: str) -> Institution | None:
    return Institution.objects.filter(name=name).first()


def _inspection(demo: Demo) -> None:
    """002 第二十条、第二十一条: bodies and inspectors drawn at random, findings, results public."""
    authority = demo.authority(BZ_HRSS)
    if InspectionPlan.objects.filter(authority=authority).exists():
        return
    # Two of 巴中's three filed 专项 bodies are drawn (a database from an older demo has one).
    if Institution.objects.filter(name__in=[BZ_RENEWED.name, BZ_EXPIRING.name, MAIN_BZ],
                                  status=Institution.Status.FILED).count() < 3:
        return
    official = demo.user("bz-filing-official")
    plan = inspections.plan_create(
        actor=official, authority=authority, title=f"{demo.today.year}年度专项职业能力考核机构“双随机、一公开”抽查",
        year=demo.today.year, items=ITEMS, draw_count=2, inspectors_per_body=2, pack_filter="bz-2023-special",
        at=demo.ago(60, 10))
    inspections.plan_draw_bodies(actor=official, plan=plan, at=demo.ago(58, 10))
    # The inspector pool of 巴中 is its supervisor and its centre staff: both go.
    inspections.plan_draw_inspectors(actor=official, plan=plan, at=demo.ago(58, 11))
    inspector = demo.user("bz-supervisor")
    drawn = list(plan.inspections.select_related("institution").order_by("rank"))
    for n, inspection in enumerate(drawn):
        found = ISSUES if n == 0 else {}
        for item in ITEMS:
            outcome = InspectionFinding.Outcome.NONCONFORM if item in found else InspectionFinding.Outcome.CONFORM
            inspections.finding_record(actor=inspector, inspection=inspection, item=item, outcome=outcome,
                                       note=found.get(item, CONFORM_NOTES[item]), at=demo.ago(50 - n, 10))
        inspections.inspection_conclude(
            actor=inspector, inspection=inspection, at=demo.ago(48, 15),
            result=Inspection.Result.ISSUES if found else Inspection.Result.CONFORM,
            conclusion=("联网监控和档案管理不符合要求，责令限期整改。" if found
                        else "场地设备、人员配备、考务管理和收费符合要求。"))
    inspections.plan_publish(actor=official, plan=plan, at=demo.ago(45, 10))
    # 002 第二十条: 不合格 → rectify within half a year (open); the other graded 良好.
    for n, inspection in enumerate(drawn):
        grading.evaluation_record(
            actor=official, institution=inspection.institution, kind=Evaluation.Kind.PERIODIC,
            proposed_grade="不合格" if n == 0 else "良好", inspection=inspection, at=demo.ago(44, 10),
            notes=("联网监控录像保存期限不足、评分表归档不规范，限期六个月整改到位。" if n == 0
                   else "定期考核检查各项符合要求。"))


def _violations(demo: Demo) -> None:
    criticised = _institution(NM_SOCIAL_CRITICISED.name)
    if criticised is not None and not ViolationRecord.objects.filter(institution=criticised).exists():
        # 003 五(五), graded: the lightest step, 通报批评.
        record = violations.violation_record(
            actor=demo.user("wh-hrss-filing-official"), institution=criticised, catalogue_key="sanction-ladder",
            item_key="poor-management", found_via=FoundVia.REPORT, at=demo.ago(35, 10),
            facts="2026 年第一批认定中未按规定公示收费标准，考务档案缺失考生签到表 2 份")
        violations.violation_decide(actor=demo.user("wh-hrss-filing-official"), violation=record,
                                    steps=["通报批评"], at=demo.ago(33, 10),
                                    note="在全市职业技能等级认定机构范围内通报批评，责令立即改正")
    blacklisted = _institution(NM_SOCIAL_BLACKLISTED.name)
    if blacklisted is not None and not ViolationRecord.objects.filter(institution=blacklisted).exists():
        # 003 五(五): 取消评价资质 → the proposal, approved: revoked and on the 失信黑名单.
        record = violations.violation_record(
            actor=demo.user("wh-hrss-filing-official"), institution=blacklisted, catalogue_key="sanction-ladder",
            item_key="breach", found_via=FoundVia.MEDIA, at=demo.ago(62, 10),
            facts="组织他人代考并伪造考生考核记录 23 份，为不符合条件人员出具职业技能等级证书")
        violations.violation_decide(actor=demo.user("wh-hrss-filing-official"), violation=record,
                                    steps=["取消评价资质"], at=demo.ago(60, 10),
                                    note="情节严重，建议取消评价资质并列入评价机构失信黑名单")
        proposal = TerminationProposal.objects.get(violation=record)
        sanctions.proposal_decide(actor=demo.user("wh-hrss-approving-official"), proposal=proposal, approve=True,
                                  note="经局务会研究，同意取消评价资质，列入失信黑名单", at=demo.ago(55, 10))
    hongda = _institution(HONGDA)
    if hongda is not None and not ViolationRecord.objects.filter(institution=hongda).exists():
        # 001 五(四)1: waiting for bz-approving-official's decision.
        record = violations.violation_record(
            actor=demo.user("bz-filing-official"), institution=hongda, catalogue_key="revoke-and-publish",
            item_key="equipment-unfit", found_via=FoundVia.REPORT, at=demo.ago(12, 10),
            facts="焊工、电工实操考核场地已被承办单位改作仓库，考核设备拆除，不再具备鉴定条件")
        violations.violation_decide(actor=demo.user("bz-filing-official"), violation=record,
                                    steps=["取消备案资格", "及时向社会公布"], at=demo.ago(10, 15),
                                    note="经现场核实，建议取消备案资格并向社会公布")


COMPLAINTS = [
    # (institution, subject, content, complainant, days ago, state, the answer when answered)
    (MAIN_BZ, "考核收费未公示", "报名时机构只收现金，没有看到收费标准公示，也不开收据。", "何先生", 40, "answered",
     "经核实，该机构收费标准已在考点公示但位置不醒目，未开具收据的情况属实；已责令其整改并补开收据。"),
    (BZ_EXPIRING.name, "考核现场有人代考", "最近一次茶叶加工考核，我看到有人替别人进考场，希望核实。", "", 10,
     "verifying", ""),
    (BZ_RENEWED.name, "证书迟迟不发", "参加家政服务考核合格两个月了，至今没有拿到证书，机构推说等通知。", "杜女士", 40,
     "received", ""),
    (MAIN_BZ, "证书查询不到", "在网上用证书编号查询，显示未找到，请帮忙核实。", "", 1, "received", ""),
    (COOKING, "考前推销培训课程", "报名考核时被要求先报 1,200 元的培训班，否则不给报名。", "高先生", 18, "answered",
     "经核实，机构工作人员在报名时介绍培训课程属实，但未发现强制捆绑报名；已提醒其严格落实考培分离。"),
]


def _complaints(demo: Demo) -> None:
    if Complaint.objects.exists():
        return
    for name, subject, content, person, days, state, answer in COMPLAINTS:
        institution = _institution(name)
        if institution is None or not institution.code:
            continue
        complaint, _secret = complaints.complaint_submit(
            institution_code=institution.code, subject=subject, content=content, name=person,
            contact="138****2046" if person else "", at=demo.ago(days, 20))
        official = demo.user("bz-filing-official" if name != COOKING else "wh-filing-official")
        if state in ("verifying", "answered"):
            complaints.complaint_start_verifying(actor=official, complaint=complaint, at=demo.ago(max(days - 2, 0), 10))
        if state == "answered":
            complaints.complaint_answer(
                actor=official, complaint=complaint, finding=Complaint.Finding.PARTLY, at=demo.ago(days - 8, 16),
                answer=answer)


# 002 第五条(五): (institution, its staff account, how it reports). The main body reports on
# time, the renewed one late, the expiring one not at all (overdue on the dashboard).
REPORTERS = [
    (MAIN_BZ, "bz-institution-user", "on_time"),
    (BZ_RENEWED.name, "bz-renewed-institution-user", "late"),
    (BZ_EXPIRING.name, "bz-expiring-institution-user", "missing"),
]
REPORT_TEXT = {
    AnnualReport.Kind.PLAN: ("{year}年度工作计划：一、全年计划组织专项职业能力考核 6 批次、约 300 人次；"
                             "二、完成联网监控系统升级，录像保存期延长至 90 天；三、每季度开展一次考评员业务培训；"
                             "四、严格执行考培分离和收费公示制度。"),
    AnnualReport.Kind.SUMMARY: ("{year}年度工作总结：全年组织考核 5 批次，参加考核 236 人，合格 201 人；"
                                "接受市人社局“双随机”抽查 1 次，发现问题已整改；无投诉举报。"),
}


def _annual_reports(demo: Demo) -> None:
    for name, username, mode in REPORTERS:
        institution = _institution(name)
        if institution is None or mode == "missing" or reports.rule_for(institution.pack_id) is None:
            continue
        staff = demo.user(username) if mode == "on_time" else demo_account(
            username=username, password=None, role=Role.INSTITUTION_USER, display_name=f"{name}填报员",
            institution=institution, at=demo.ago(400))[0]
        for year in (demo.today.year - 1, demo.today.year):
            for state in reports.states_for(institution, year):
                if not state.required or state.report is not None or state.due >= demo.today:
                    continue
                when = state.due if mode == "on_time" else state.due + dt.timedelta(days=23)
                reports.annual_report_submit(actor=staff, kind=state.kind, year=year, at=demo.on(when, 16),
                                             content=REPORT_TEXT[state.kind].format(year=year))


def _inactivity(demo: Demo) -> None:
    """The sweep a month ago flagged the idle bodies; the official dismissed one after checking,
    and today's sweep leaves it dismissed (a new flag needs a further idle year)."""
    if not InactivityFlag.objects.exists():
        inactivity.inactivity_sweep(at=demo.ago(30, 2))
        flags = list(InactivityFlag.objects.select_related("institution").order_by("institution__name"))
        if len(flags) >= 2:
            flag = flags[0]
            official = ("wh-filing-official" if flag.institution.region_code.startswith("15")
                        else "bz-filing-official")
            inactivity.inactivity_decide(
                actor=demo.user(official), flag=flag, act=False, at=demo.ago(28, 15),
                note="经核实，该机构本年度已在备案场地外的核准考点组织考核，有考核记录和督导报告，不予处理")
    # What the scheduler runs daily: bodies with no exam for a year are flagged for the official.
    inactivity.inactivity_sweep(at=demo.now)


def load(demo: Demo) -> None:
    _inspection(demo)
    _violations(demo)
    _complaints(demo)
    _annual_reports(demo)
    _inactivity(demo)
