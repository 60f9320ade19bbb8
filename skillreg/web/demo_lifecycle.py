"""The filed institutions' later life: validity and renewal, change filings, a suspended
scope row, a cancellation, a stop order, a branch report, 甘肃's project catalogue requests.

Through ``registry.services.lifecycle`` with backdated ``at`` values; each item is made once
(guarded by its own record), so a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt

from skillreg.accounts.models import User
from skillreg.core import clock
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import (
    Application,
    BranchReport,
    CancellationRequest,
    ChangeFiling,
    Institution,
    InstitutionScope,
    ProjectRequest,
    StopOrder,
)
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions, lifecycle
from skillreg.web import demo_panels
from skillreg.web.demo_common import Demo, pdf
from skillreg.web.demo_filings import (
    BZ_RENEWED,
    GS_WAITING,
    NM_ENTERPRISE,
    WH_CANCELLED,
)

MAIN_BZ = "巴中市恒信职业技能评价中心"
SCHOOL = "巴中市第二技工学校职业技能考核鉴定所"  # the 备案表's station name (001 五(一))
MAIN_GS = "兰州市城关区电子商务职业培训学校"


def _institution(name: str) -> Institution | None:
    return Institution.objects.filter(name=name).first()


def _account_of(institution: Institution) -> User:
    return User.objects.filter(institution=institution).order_by("pk").first()  # type: ignore[return-value]


def _renewal(demo: Demo) -> None:
    """延续备案, submitted 45 days ago — before the old end date (in 20 days) — and filed: the
    new validity continues from the old end, with no gap (issue 4, 002 第十条)."""
    institution = _institution(BZ_RENEWED.name)
    if institution is None or Application.objects.filter(institution=institution,
                                                         kind=Application.Kind.RENEWAL).exists():
        return
    user = _account_of(institution)
    clerk, approver = demo.user("bz-filing-official"), demo.user("bz-approving-official")
    app = lifecycle.renewal_start(actor=user, institution=institution, at=demo.ago(46, 15))
    app = svc.application_submit(actor=user, application=app, at=demo.ago(45, 10))
    app = svc.application_accept(actor=clerk, application=app, at=demo.ago(43, 10))
    # The experts who evaluated the first filing are excluded from the renewal's panel.
    ended = demo_panels.evaluate(demo, app, handler=clerk, at=demo.ago(40, 9))
    decisions.application_file(actor=approver, application=app,
                               at=demo.on(ended.astimezone(clock.LOCAL_TZ).date() + dt.timedelta(days=2), 10))


def _changes(demo: Demo) -> None:
    main = _institution(MAIN_BZ)
    if main is not None and not ChangeFiling.objects.filter(institution=main).exists():
        # 002 第十一条: 变更法人或地址 — reported and approved: the directory keeps both versions.
        change = lifecycle.change_report(
            actor=demo.user("bz-institution-user"), institution=main, kind=ChangeFiling.Kind.IDENTITY,
            changes={"legal_representative": "王志刚", "address": "四川省巴中市巴州区回风大道中段168号"},
            change_date=demo.day(-100), upload=pdf("法定代表人变更登记通知书.pdf"), at=demo.ago(98, 14))
        lifecycle.change_approve(actor=demo.user("bz-approving-official"), change=change, at=demo.ago(95, 10),
                                 reason="变更登记材料齐全，准予变更")
    school = _institution(SCHOOL)
    if school is not None and not ChangeFiling.objects.filter(institution=school).exists():
        # 001 四: a new head, reported within 5 working days; waiting for the city's decision.
        lifecycle.change_report(
            actor=_account_of(school), institution=school, kind=ChangeFiling.Kind.IDENTITY,
            changes={"head_name": "吴建新"}, change_date=demo.day(-4),
            upload=pdf("关于调整鉴定所所长的任职文件.pdf"), at=demo.ago(2, 11))


def _suspension(demo: Demo) -> None:
    """001 五(二): the 焊工 四级 row suspended while the venue is put right; the rest works on."""
    school = _institution(SCHOOL)
    row = InstitutionScope.objects.filter(institution=school, name="焊工", level=4).first() if school else None
    if row is None or row.suspended_at is not None:
        return
    lifecycle.scope_suspend(actor=demo.user("bz-filing-official"), scope=row, at=demo.ago(20, 15),
                            reason="焊工实操考核场地排烟设施经消防检查不合格，整改期间暂停四级焊工鉴定")


def _cancellation(demo: Demo) -> None:
    """000 二(四): the body asks in writing; the 乌海 centre that filed it confirms."""
    institution = _institution(WH_CANCELLED.name)
    if institution is None or CancellationRequest.objects.filter(institution=institution).exists():
        return
    request = lifecycle.cancellation_request(
        actor=_account_of(institution), institution=institution, at=demo.ago(30, 10),
        reason="学校调整办学方向，不再承担专项职业能力考核工作，申请注销备案",
        upload=pdf("关于申请注销专项职业能力考核机构备案的函.pdf"))
    lifecycle.cancellation_confirm(actor=demo.user("wh-filing-official"), request=request, at=demo.ago(25, 10))


def _stop_order(demo: Demo) -> None:
    """001 五(五): an unfiled body assessing on its own is ordered to stop."""
    name = "巴中市巴州区启航职业技能培训咨询有限公司"
    if StopOrder.objects.filter(body_name=name).exists():
        return
    lifecycle.stop_order_record(
        actor=demo.user("bz-filing-official"), body_name=name, region_code="511902",
        credit_code=make_credit_code("511902", 8001, registrar="9", org_type="1"),
        facts="未经备案，以“职业技能等级证书”名义组织考试并向学员每人收取考试费 680 元；经群众举报，执法人员现场核实",
        ordered_on=demo.day(-8), at=demo.ago(8, 16), upload=pdf("责令停止鉴定活动通知书.pdf"))


def _branch_report(demo: Demo) -> None:
    """003 三(五): before assessing its workers at the 鄂尔多斯 mine, the enterprise reports there."""
    institution = _institution(NM_ENTERPRISE.name)
    if institution is None or BranchReport.objects.filter(institution=institution).exists():
        return
    lifecycle.branch_report_make(
        actor=_account_of(institution), institution=institution, region_code="150602",
        starts_on=demo.day(14), at=demo.ago(3, 10), branch_name=f"{institution.name}鄂尔多斯分公司",
        address="内蒙古自治区鄂尔多斯市东胜区天骄北路 26 号", note="在分公司开展电工、焊工职业技能等级认定",
        upload=pdf("分支机构报备表.pdf"))


def _project_requests(demo: Demo) -> None:
    """004 四: requests to add projects to 甘肃's catalogue, in each state."""
    if ProjectRequest.objects.filter(region_code="620000").exists():
        return
    main, waiting = _institution(MAIN_GS), _institution(GS_WAITING.name)
    centre = demo.user("gs-centre-staff")
    submit = lifecycle.project_request_submit
    origin = ProjectRequest.Origin
    if main is not None:
        # A new project, written by the institution, through to the 部中心's filing.
        filed = submit(actor=demo.user("gs-institution-user"), origin=origin.NEW, name="兰州牛肉拉面制作",
                       specification=pdf("兰州牛肉拉面制作考核规范.pdf"), question_bank=True,
                       question_bank_upload=pdf("兰州牛肉拉面制作题库.pdf"), at=demo.ago(120, 10),
                       reason="兰州牛肉拉面产业从业人员逾 10 万人，亟需规范技能评价，促进就业创业")
        lifecycle.project_request_review(actor=centre, request=filed, at=demo.ago(110, 10))
        lifecycle.project_request_send(actor=centre, request=filed, at=demo.ago(105, 10))
        lifecycle.project_request_file(actor=centre, request=filed, at=demo.ago(60, 10),
                                       national_reference="人社职鉴备〔2026〕0315号")
        # A new project still awaiting the province's review.
        submit(actor=demo.user("gs-institution-user"), origin=origin.NEW, name="农产品直播销售",
               specification=pdf("农产品直播销售考核规范.pdf"), question_bank=True,
               question_bank_upload=pdf("农产品直播销售题库.pdf"), at=demo.ago(6, 15),
               reason="服务乡村振兴，带动农产品上行")
    # 004 四(二): projects published elsewhere, proposed by the province centre.
    sent = submit(actor=centre, origin=origin.OTHER_PROVINCE, origin_note="青海省公布的专项职业能力考核项目",
                  name="藏毯织造", specification=pdf("藏毯织造考核规范.pdf"), question_bank=True,
                  at=demo.ago(70, 10), reason="甘南州藏毯产业用工需求")
    lifecycle.project_request_review(actor=centre, request=sent, at=demo.ago(65, 10))
    lifecycle.project_request_send(actor=centre, request=sent, at=demo.ago(60, 11))
    reviewed = submit(actor=centre, origin=origin.NATIONAL, origin_note="部中心公布的专项职业能力考核项目",
                      code="S0102003", name="老年人能力评估", specification=pdf("老年人能力评估考核规范.pdf"),
                      question_bank=True, at=demo.ago(30, 10), reason="养老服务业人才需求")
    lifecycle.project_request_review(actor=centre, request=reviewed, at=demo.ago(25, 10))
    if waiting is not None:
        refused = submit(actor=_account_of(waiting), origin=origin.NEW, name="手工臊子面制作",
                         specification=pdf("手工臊子面制作考核规范.pdf"), at=demo.ago(50, 10),
                         reason="本校餐饮专业特色项目")
        lifecycle.project_request_refuse(actor=centre, request=refused, at=demo.ago(40, 10),
                                         reason="与已公布的“中式面点制作”项目考核内容重复，且尚无题（卷）库，不予增设")


def load(demo: Demo) -> None:
    _renewal(demo)
    _changes(demo)
    _suspension(demo)
    _cancellation(demo)
    _stop_order(demo)
    _branch_report(demo)
    _project_requests(demo)
    # What the scheduler runs daily: the 90-day reminder for the body whose validity ends soon.
    lifecycle.sweep_validity(at=demo.now)
