"""Venues, exam plans, the exam application (002 第六条(二), 第十三条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.exams import eligibility
from skillreg.exams.models import ExamApplication, ExamPlan, Registration, RosterReview, Venue
from skillreg.exams.services.common import (
    centre_recipients,
    local_date,
    lock_plan,
    pack_of,
    plan_snapshot,
    require_centre,
    require_institution_user,
)
from skillreg.exams.workflow import check_move
from skillreg.files.models import StoredFile
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.registry.services import lifecycle
from skillreg.workdays.calendar import add_workdays

# --- venues ---------------------------------------------------------------------------


@transaction.atomic
def venue_record_filed(*, actor: Any, institution: Institution, name: str, address: str, region_code: str,
                       rooms: int = 1, capacity: int = 0, at: dt.datetime) -> Venue:
    """An official records a site as fixed at filing (002 第十三条: 备案时确定的考核场地)."""
    if (actor.role not in OFFICIAL_ROLES and actor.role != Role.SYSADMIN) or (
            actor.role != Role.SYSADMIN and not actor.authority.covers(institution.region_code)):
        raise DomainError("备案考核场地由属地人社部门或鉴定中心登记", code="forbidden")
    venue = Venue.objects.create(
        institution=institution, kind=Venue.Kind.FILED, name=name.strip(), address=address.strip(),
        region_code=region_code, rooms=rooms, capacity=capacity, status=Venue.Status.APPROVED,
        applied_at=at, applied_by=actor, decided_at=at, decided_by=actor,
        decision_reason="备案时确定的考核场地",
    )
    audit.record(actor=actor, action="exams.venue_filed", obj=venue, at=at,
                 summary=f"登记备案考核场地：{venue.name}", after={"name": venue.name, "address": venue.address})
    return venue


@transaction.atomic
def venue_apply_off_site(*, actor: Any, institution: Institution, name: str, address: str, region_code: str,
                         rooms: int, capacity: int, reason: str, at: dt.datetime) -> Venue:
    """002 第十三条: an exam outside the filed sites needs the centre's check first."""
    require_institution_user(actor, institution.pk)
    pack = get_pack(institution.pack_id)
    rule = pack.conduct.off_site_venue
    if rule.allowed is False:
        raise DomainError("本地政策不允许在备案场地外考核", code="off_site_not_allowed", source=rule.source)
    if not name.strip():
        raise InvalidInput("请填写考点名称", field="name")
    if len(name.strip()) > 200:
        raise InvalidInput("考点名称过长（最多 200 字）", field="name")
    if not address.strip():
        raise InvalidInput("请填写考点地址", field="address")
    if len(address.strip()) > 300:
        raise InvalidInput("地址过长（最多 300 字）", field="address")
    region_code = (region_code or "").strip()
    if len(region_code) != 6 or not region_code.isdigit():
        raise InvalidInput("考点所在地应为 6 位行政区划代码，如 511903", field="region_code")
    if region_code[:2] != institution.region_code[:2]:
        raise InvalidInput("考点所在地不在本机构所在省（区）内", field="region_code")
    if rooms < 1:
        raise InvalidInput("考场数至少为 1", field="rooms")
    if capacity < 1:
        raise InvalidInput("请填写可容纳考生数（至少 1 人）", field="capacity")
    if not reason.strip():
        raise InvalidInput("请说明需在机构场地外考核的理由", field="reason")
    venue = Venue.objects.create(
        institution=institution, kind=Venue.Kind.OFF_SITE, name=name.strip(), address=address.strip(),
        region_code=region_code, rooms=rooms, capacity=capacity, status=Venue.Status.PENDING,
        reason=reason.strip(), applied_at=at, applied_by=actor,
    )
    audit.record(actor=actor, action="exams.venue_off_site_applied", obj=venue, at=at,
                 summary=f"提出场外考点申请：{venue.name}", after={"address": venue.address})
    transaction.on_commit(lambda: notify(
        recipients=centre_recipients(venue.region_code),
        subject="场外考点申请待核实", body=f"{institution.name} 申请在 {venue.address} 设置考点（{venue.name}）。",
        related=venue, at=at))
    return venue


@transaction.atomic
def venue_decide(*, actor: Any, venue: Venue, approve: bool, reason: str = "", at: dt.datetime) -> Venue:
    venue = Venue.objects.select_for_update().select_related("institution").get(pk=venue.pk)
    require_centre(actor, venue.region_code)
    if venue.status != Venue.Status.PENDING:
        raise IllegalTransition(f"该考点申请当前为“{venue.get_status_display()}”，不能再核实")
    if not approve and not reason.strip():
        raise InvalidInput("退回须写明理由", field="reason")
    venue.status = Venue.Status.APPROVED if approve else Venue.Status.RETURNED
    venue.decided_at, venue.decided_by, venue.decision_reason = at, actor, reason.strip()
    venue.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit.record(actor=actor, action="exams.venue_decided", obj=venue, at=at, before={"status": "pending"},
                 after={"status": venue.status, "reason": venue.decision_reason},
                 summary=f"场外考点{'核实通过' if approve else '未通过'}：{venue.name}", )
    institution = venue.institution
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(institution), subject="场外考点申请核实结果",
        body=f"考点“{venue.name}”：{venue.get_status_display()}。{venue.decision_reason}", related=venue, at=at))
    return venue


# --- plans ----------------------------------------------------------------------------


def _check_institution_may_plan(institution: Institution, *, today: dt.date, exam_end: dt.date) -> None:
    pack = get_pack(institution.pack_id)
    if institution.status != Institution.Status.FILED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，"
                          "只有已备案且在有效期内的机构可以发布考核计划",
                          code="institution_not_filed")
    if institution.valid_until is not None:
        if institution.valid_until < today:
            raise DomainError(f"机构备案已于 {institution.valid_until:%Y年%m月%d日} 到期，不能发布考核计划",
                              code="institution_expired", source=pack.validity.source)
        if institution.valid_until < exam_end:
            raise DomainError(f"考核日期超出机构备案有效期（至 {institution.valid_until:%Y年%m月%d日}）",
                              code="institution_expires_before_exam", source=pack.validity.source)


def _check_dates(*, opens: dt.date, closes: dt.date, exam_start: dt.date, exam_end: dt.date,
                 today: dt.date) -> None:
    if closes < opens:
        raise InvalidInput("报名截止日期不能早于报名开始日期", field="registration_closes")
    if exam_start <= closes:
        raise InvalidInput("考核开始日期须在报名截止之后", field="exam_start")
    if exam_end < exam_start:
        raise InvalidInput("考核结束日期不能早于开始日期", field="exam_end")
    if closes < today:
        raise InvalidInput("报名截止日期已过", field="registration_closes")


@transaction.atomic
def plan_create(*, actor: Any, institution: Institution, scope: InstitutionScope, venue: Venue, title: str,
                registration_opens: dt.date, registration_closes: dt.date, exam_start: dt.date,
                exam_end: dt.date, fee: Decimal, fee_basis: str = "", pass_mark: Decimal = Decimal(60),
                capacity: int | None = None, at: dt.datetime) -> ExamPlan:
    """An institution drafts a plan for a scope it holds at a venue it may use."""
    require_institution_user(actor, institution.pk)
    institution = Institution.objects.select_related("authority").get(pk=institution.pk)
    today = local_date(at)
    _check_dates(opens=registration_opens, closes=registration_closes, exam_start=exam_start,
                 exam_end=exam_end, today=today)
    _check_institution_may_plan(institution, today=today, exam_end=exam_end)
    pack = get_pack(institution.pack_id)
    if scope.institution_id != institution.pk:
        raise DomainError(f"“{scope.name}”不在本机构的备案范围内", code="scope_unknown", field="scope")
    if venue.institution_id != institution.pk:
        raise DomainError("该考点不属于本机构", code="venue_unknown", field="venue")
    if not venue.usable:
        rule = pack.conduct.off_site_venue
        raise DomainError(f"考点“{venue.name}”为场外考点，{venue.get_status_display()}；"
                          "须经鉴定中心核实确认符合考核条件后方可开展考核",
                          code="venue_not_approved", source=rule.source or "002 第十三条", field="venue")
    kind = eligibility.applicant_kind(pack, institution)
    prefix = eligibility.area_prefix(kind, institution) if kind else None
    if kind and prefix and not venue.region_code.startswith(prefix):
        raise DomainError(f"{kind.name}只能在{kind.scope}内开展认定，考点所在地 {venue.region_code} 不在范围内",
                          code="outside_area", source=kind.source, field="venue")
    # 003 三(五): a branch, or a region-level body, works in a city only after reporting to it.
    if pack.conduct.branch_report.value and not lifecycle.may_work_in(institution, venue.region_code,
                                                                      on=exam_start):
        raise DomainError(f"本机构尚未向考点所在地（{venue.region_code}）人力资源社会保障部门报备，不能在该地开展认定",
                          code="branch_not_reported", source=pack.conduct.branch_report.source, field="venue")
    # 001 五(二): 被要求整改的职业（工种）暂停开展鉴定工作.
    if not lifecycle.scope_is_active(institution, scope.name, scope.level):
        raise DomainError(f"“{scope.name}”已被暂停开展考核，不能安排新的考核计划",
                          code="scope_suspended", source=scope.suspension_source or "001 五(二)", field="scope")
    if fee < 0:
        raise InvalidInput("收费标准不能为负数", field="fee")
    if not Decimal(0) <= pass_mark <= Decimal(100):
        raise InvalidInput("合格分数线应在 0–100 之间", field="pass_mark")
    plan = ExamPlan.objects.create(
        institution=institution, scope=scope, scope_name=scope.name, level=scope.level, venue=venue,
        region_code=venue.region_code, pack_id=institution.pack_id, title=title.strip() or scope.name,
        registration_opens=registration_opens, registration_closes=registration_closes,
        exam_start=exam_start, exam_end=exam_end, fee=fee, fee_basis=fee_basis, pass_mark=pass_mark,
        capacity=capacity, created_at=at, created_by=actor,
    )
    audit.record(actor=actor, action="exams.plan_created", obj=plan, at=at, after=plan_snapshot(plan),
                 summary=f"拟定考核计划：{plan.title}")
    return plan


@transaction.atomic
def plan_publish(*, actor: Any, plan: ExamPlan, at: dt.datetime) -> ExamPlan:
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    check_move(plan, ExamPlan.Status.PUBLISHED)
    _check_institution_may_plan(plan.institution, today=local_date(at), exam_end=plan.exam_end)
    before = plan_snapshot(plan)
    plan.status, plan.published_at = ExamPlan.Status.PUBLISHED, at
    plan.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="exams.plan_published", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan), summary=f"发布考核计划：{plan.title}")
    return plan


@transaction.atomic
def plan_cancel(*, actor: Any, plan: ExamPlan, reason: str, at: dt.datetime) -> ExamPlan:
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    check_move(plan, ExamPlan.Status.CANCELLED)
    if not reason.strip():
        raise InvalidInput("取消须写明理由", field="reason")
    before = plan_snapshot(plan)
    plan.status = ExamPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    audit.record(actor=actor, action="exams.plan_cancelled", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan), summary=f"取消考核计划：{reason.strip()}")
    return plan


def pass_mark_source(plan: ExamPlan) -> str:
    """The clause forbidding a changed pass mark or score, in this plan's own document when it has one."""
    pack = pack_of(plan)
    for item in pack.direct_fail.items:
        if "成绩" in item.text or "分数线" in item.text:
            return item.source
    for catalogue in pack.violations:
        for item in catalogue.items:
            if "分数线" in item.text or "更改考核成绩" in item.text:
                return item.source
    return "000 三(四)4"


@transaction.atomic
def plan_set_pass_mark(*, actor: Any, plan: ExamPlan, pass_mark: Decimal, at: dt.datetime) -> ExamPlan:
    """Fixed before the exam; lowering or raising it afterwards is refused (000 三(四)4)."""
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    if local_date(at) >= plan.exam_start or plan.status not in (ExamPlan.Status.DRAFT, ExamPlan.Status.PUBLISHED):
        raise DomainError("考核开始后不得降低或提高合格分数线", code="pass_mark_locked",
                          source=pass_mark_source(plan), field="pass_mark")
    if not Decimal(0) <= pass_mark <= Decimal(100):
        raise InvalidInput("合格分数线应在 0–100 之间", field="pass_mark")
    before = plan_snapshot(plan)
    plan.pass_mark = pass_mark
    plan.save(update_fields=["pass_mark"])
    audit.record(actor=actor, action="exams.pass_mark_set", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan), summary=f"合格分数线设为 {pass_mark}")
    return plan


# --- exam application (002 第六条(二)) -------------------------------------------------


def exam_application_due(plan: ExamPlan) -> tuple[dt.date | None, bool, str | None]:
    """(due, provisional, source): N working days after registration closes, where the pack fixes N."""
    rule = pack_of(plan).clocks.exam_application
    if rule.workdays is None:
        return None, False, None
    result = add_workdays(plan.registration_closes, rule.workdays)
    return result.date, result.provisional, rule.source


@transaction.atomic
def exam_application_submit(*, actor: Any, plan: ExamPlan, scheme: str, emergency_plan: StoredFile,
                            papers_requested: int, at: dt.datetime,
                            scheme_file: StoredFile | None = None) -> ExamApplication:
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    check_move(plan, ExamPlan.Status.APPLIED)
    today = local_date(at)
    due, provisional, source = exam_application_due(plan)
    if today <= plan.registration_closes:
        raise DomainError(f"报名于 {plan.registration_closes:%Y年%m月%d日} 截止，截止后方可报送考核申请",
                          code="registration_open", source=source)
    if due is not None and today > due:
        raise DomainError(f"考核申请应在报名截止后 {pack_of(plan).clocks.exam_application.workdays} 个工作日内"
                          f"（{due:%Y年%m月%d日}前）报送，已逾期", code="exam_application_late", source=source)
    if not scheme.strip():
        raise InvalidInput("请填写专项考核申请方案", field="scheme")
    review = plan.roster_reviews.exclude(status=RosterReview.Status.RETURNED).first()
    if review is None:
        raise DomainError("须先将报名质量责任书和考核人员花名册报鉴定中心复审", code="roster_not_submitted",
                          source=pack_of(plan).clocks.candidate_entry.source)
    roster_count = plan.registrations.filter(status=Registration.Status.REGISTERED).count()
    if papers_requested < roster_count:
        raise InvalidInput(f"申请试卷份数不能少于名册人数（{roster_count}）", field="papers_requested")
    application = ExamApplication.objects.create(
        plan=plan, scheme=scheme.strip(), emergency_plan=emergency_plan, scheme_file=scheme_file,
        papers_requested=papers_requested, roster_count=roster_count, due=due or today,
        due_provisional=provisional, submitted_at=at, submitted_by=actor,
    )
    before = plan_snapshot(plan)
    plan.status = ExamPlan.Status.APPLIED
    plan.save(update_fields=["status"])
    audit.record(actor=actor, action="exams.exam_application_submitted", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan) | {"roster_count": roster_count, "papers": papers_requested},
                 summary="报送考核申请并申请试卷")
    transaction.on_commit(lambda: notify(
        recipients=centre_recipients(plan.region_code), subject="考核申请待审核",
        body=f"{plan.institution.name}：{plan.title}（{roster_count} 人）", related=plan, at=at))
    return application


@transaction.atomic
def exam_application_decide(*, actor: Any, plan: ExamPlan, approve: bool, reason: str = "",
                            at: dt.datetime) -> ExamApplication:
    plan = lock_plan(plan)
    require_centre(actor, plan.region_code)
    application = plan.exam_applications.select_for_update().get(status=ExamApplication.Status.SUBMITTED)
    if approve:
        review = plan.roster_reviews.filter(status=RosterReview.Status.APPROVED).first()
        if review is None:
            raise DomainError("报名名册尚未复审核准，不能核准考核申请", code="roster_not_approved",
                              source=pack_of(plan).clocks.candidate_entry.source)
    elif not reason.strip():
        raise InvalidInput("退回须写明理由", field="reason")
    to = ExamPlan.Status.APPROVED if approve else ExamPlan.Status.PUBLISHED
    check_move(plan, to)
    before = plan_snapshot(plan)
    application.status = ExamApplication.Status.APPROVED if approve else ExamApplication.Status.RETURNED
    application.decided_at, application.decided_by, application.decision_reason = at, actor, reason.strip()
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    plan.status = to
    plan.save(update_fields=["status"])
    audit.record(actor=actor, action="exams.exam_application_decided", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan) | {"reason": application.decision_reason},
                 summary="核准考核申请" if approve else f"退回考核申请：{reason.strip()}")
    institution = plan.institution
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(institution), subject="考核申请审核结果",
        body=f"{plan.title}：{application.get_status_display()}。{application.decision_reason}",
        related=plan, at=at))
    return application
