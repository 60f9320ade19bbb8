"""Independent scoring (002 第十六条), results review (002 第六条(五)), score corrections (000 三(四)4)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.exams.models import (
    AnswerSheet,
    AssessorAssignment,
    ExamPlan,
    Registration,
    Score,
    ScoreCorrection,
    ScoreSheet,
    SupervisionReport,
)
from skillreg.exams.services.common import (
    centre_recipients,
    local_date,
    lock_plan,
    pack_of,
    plan_snapshot,
    require_centre,
    require_institution_user,
)
from skillreg.exams.services.plans import pass_mark_source
from skillreg.exams.workflow import check_move
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify

TWO_PLACES = Decimal("0.01")


def _assignment_of(actor: Any, plan: ExamPlan) -> AssessorAssignment:
    assignment = (AssessorAssignment.objects.select_related("assessor")
                  .filter(plan=plan, assessor__user=actor).first())
    if assignment is None:
        raise DomainError("您未被选派到本场考核", code="forbidden")
    return assignment


def _source(plan: ExamPlan) -> str | None:
    return pack_of(plan).conduct.independent_scoring.source


@transaction.atomic
def scores_enter(*, actor: Any, plan: ExamPlan, scores: dict[Any, Decimal | None], at: dt.datetime) -> ScoreSheet:
    """An assessor enters (or revises, until signing) their own scores; ``scores`` maps
    registration public_id → score (None: absent)."""
    plan = lock_plan(plan)
    if plan.status != ExamPlan.Status.APPROVED:
        raise IllegalTransition("考核申请核准后、成绩报审前方可评分")
    if local_date(at) < plan.exam_start:
        raise DomainError("考核开始后方可评分", code="too_early")
    assignment = _assignment_of(actor, plan)
    sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(assignment=assignment, plan=plan)
    if sheet.submitted:
        raise DomainError("评分已签名提交并锁定；如需更正，须由鉴定中心说明理由后更正",
                          code="score_locked", source=pass_mark_source(plan))
    regs = {str(r.public_id): r for r in plan.registrations.filter(status=Registration.Status.REGISTERED)}
    for key, value in scores.items():
        reg = regs.get(str(key))
        if reg is None:
            raise InvalidInput("评分对象不是本场考核的考生", field="scores")
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise InvalidInput(f"{reg.name} 的分数应在 0–100 之间", field="scores")
        Score.objects.update_or_create(sheet=sheet, registration=reg,
                                       defaults={"value": value, "entered_at": at})
    return sheet


@transaction.atomic
def score_sheet_submit(*, actor: Any, plan: ExamPlan, signature_name: str, at: dt.datetime) -> ScoreSheet:
    """The assessor signs: who and when; from now on the sheet is locked (002 第十六条)."""
    plan = lock_plan(plan)
    assignment = _assignment_of(actor, plan)
    sheet = ScoreSheet.objects.select_for_update().filter(assignment=assignment).first()
    if sheet is None:
        raise DomainError("尚未录入评分", code="no_scores")
    if sheet.submitted:
        raise IllegalTransition("评分已签名提交")
    if not signature_name.strip():
        raise InvalidInput("请签名（填写姓名）", field="signature_name")
    expected = plan.registrations.filter(status=Registration.Status.REGISTERED).count()
    if sheet.scores.count() != expected:
        raise DomainError(f"还有 {expected - sheet.scores.count()} 名考生未评分（缺考请标记为缺考）",
                          code="scores_incomplete")
    sheet.submitted_at, sheet.signed_by, sheet.signature_name = at, actor, signature_name.strip()
    sheet.save(update_fields=["submitted_at", "signed_by", "signature_name"])
    audit.record(actor=actor, action="exams.scores_signed", obj=sheet, at=at,
                 summary=f"考评员 {assignment.assessor.name} 签名提交评分（{expected} 人）",
                 after={"scores": {str(s.registration.public_id): str(s.value) for s in
                                   sheet.scores.select_related("registration")}})
    return sheet


def sheets_visible_to(actor: Any, plan: ExamPlan) -> list[ScoreSheet]:
    """002 第十六条: an assessor sees another's scores only after signing their own; the centre
    and the institution see signed sheets only."""
    sheets = list(ScoreSheet.objects.filter(plan=plan).select_related("assignment__assessor", "signed_by")
                  .prefetch_related("scores__registration__candidate"))
    mine = next((s for s in sheets if s.assignment.assessor.user_id == actor.pk), None)
    if mine is not None and not mine.submitted:
        return [mine]
    return [s for s in sheets if s.submitted or s is mine]


@transaction.atomic
def score_correct(*, actor: Any, score: Score, value: Decimal | None, reason: str, at: dt.datetime) -> Score:
    """Only the centre, only with a reason, always audited: an unexplained change is impossible."""
    score = Score.objects.select_for_update().select_related("sheet__plan", "registration").get(pk=score.pk)
    plan = score.sheet.plan
    require_centre(actor, plan.region_code)
    if not score.sheet.submitted:
        raise IllegalTransition("评分尚未签名提交，由考评员本人修改")
    if plan.status == ExamPlan.Status.RESULTS_APPROVED:
        raise IllegalTransition("考核结果已核准，不能更正")
    if not reason.strip():
        raise InvalidInput("更正成绩须写明理由", field="reason", source=pass_mark_source(plan))
    if value is not None and not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput("分数应在 0–100 之间", field="value")
    ScoreCorrection.objects.create(score=score, old_value=score.value, new_value=value, reason=reason.strip(),
                                   corrected_at=at, corrected_by=actor)
    before = str(score.value)
    score.value = value
    score.save(update_fields=["value"])
    audit.record(actor=actor, action="exams.score_corrected", obj=score.registration, at=at,
                 before={"score": before}, after={"score": str(value), "reason": reason.strip()},
                 summary=f"更正成绩：{score.registration.name}，理由：{reason.strip()}")
    return score


def _compute_results(plan: ExamPlan) -> int:
    by_reg: dict[int, list[Decimal | None]] = defaultdict(list)
    for reg_id, value in Score.objects.filter(sheet__plan=plan).values_list("registration_id", "value"):
        by_reg[reg_id].append(value)
    regs = list(plan.registrations.filter(status=Registration.Status.REGISTERED))
    for reg in regs:
        values = by_reg.get(reg.pk, [])
        marks = [v for v in values if v is not None]
        if not marks:
            reg.score, reg.passed, reg.absent = None, False, True
        else:
            reg.score = (sum(marks) / len(marks)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            reg.passed, reg.absent = reg.score >= plan.pass_mark, False
    Registration.objects.bulk_update(regs, ["score", "passed", "absent"], batch_size=1000)
    return sum(1 for r in regs if r.passed)


@transaction.atomic
def results_submit(*, actor: Any, plan: ExamPlan, at: dt.datetime) -> ExamPlan:
    """002 第六条(五): results, records and the supervision report go to the centre for review."""
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    check_move(plan, ExamPlan.Status.RESULTS_SUBMITTED)
    source = pack_of(plan).clocks.exam_application.source
    assignments = plan.assignments.count()
    if assignments == 0:
        raise DomainError("本场考核尚无选派的考评员", code="no_assessors")
    signed = plan.score_sheets.filter(submitted_at__isnull=False).count()
    if signed < assignments:
        raise DomainError(f"还有 {assignments - signed} 名考评员未签名提交评分", code="scores_unsigned",
                          source=_source(plan))
    if plan.supervisors.exists() and not SupervisionReport.objects.filter(assignment__plan=plan).exists():
        raise DomainError("须附质量督导报告", code="supervision_report_missing", source=source)
    passed = _compute_results(plan)
    before = plan_snapshot(plan)
    plan.status, plan.results_submitted_at, plan.results_return_reason = ExamPlan.Status.RESULTS_SUBMITTED, at, ""
    plan.save(update_fields=["status", "results_submitted_at", "results_return_reason"])
    audit.record(actor=actor, action="exams.results_submitted", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan) | {"passed": passed}, summary=f"报送考核结果（合格 {passed} 人）")
    transaction.on_commit(lambda: notify(
        recipients=centre_recipients(plan.region_code), subject="考核结果待审核",
        body=f"{plan.institution.name}：{plan.title}", related=plan, at=at))
    return plan


@transaction.atomic
def results_decide(*, actor: Any, plan: ExamPlan, approve: bool, reason: str = "", at: dt.datetime) -> ExamPlan:
    """The centre approves the results (which releases certificates) or returns them with reasons."""
    plan = lock_plan(plan)
    require_centre(actor, plan.region_code)
    to = ExamPlan.Status.RESULTS_APPROVED if approve else ExamPlan.Status.APPROVED
    check_move(plan, to)
    if not approve and not reason.strip():
        raise InvalidInput("退回须写明理由", field="reason")
    if approve:
        _compute_results(plan)  # corrections made during review are reflected
    before = plan_snapshot(plan)
    plan.status, plan.results_decided_at, plan.results_decided_by = to, at, actor
    plan.results_return_reason = "" if approve else reason.strip()
    plan.save(update_fields=["status", "results_decided_at", "results_decided_by", "results_return_reason"])
    audit.record(actor=actor, action="exams.results_decided", obj=plan, at=at, before=before,
                 after=plan_snapshot(plan) | {"reason": plan.results_return_reason},
                 summary="核准考核结果" if approve else f"退回考核结果：{reason.strip()}")
    institution = plan.institution
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(institution), subject="考核结果审核",
        body=f"{plan.title}：{plan.get_status_display()}。{plan.results_return_reason}", related=plan, at=at))
    return plan


def sitting_results_approved(plan: ExamPlan) -> bool:
    """True once the centre approved the sitting's results: certificates may be issued only then."""
    return ExamPlan.objects.filter(pk=plan.pk, status=ExamPlan.Status.RESULTS_APPROVED).exists()


# --- answer sheets (for the similarity screening) ---------------------------------------------


@transaction.atomic
def answer_sheet_record(*, actor: Any, registration: Registration, room: str, answers: list[str | None],
                        at: dt.datetime) -> AnswerSheet:
    plan = ExamPlan.objects.get(pk=registration.plan_id)
    require_institution_user(actor, plan.institution_id)
    if plan.status not in (ExamPlan.Status.APPROVED, ExamPlan.Status.RESULTS_SUBMITTED):
        raise IllegalTransition("考核申请核准后方可录入答卷")
    if not room.strip():
        raise InvalidInput("请填写考场", field="room")
    if not isinstance(answers, list) or not all(a is None or isinstance(a, str) for a in answers):
        raise InvalidInput("答卷应为选项列表（未作答为空）", field="answers")
    sheet, created = AnswerSheet.objects.update_or_create(
        registration=registration, defaults={"room": room.strip(), "answers": answers, "recorded_at": at})
    audit.record(actor=actor, action="exams.answer_sheet", obj=registration, at=at,
                 summary=f"{'录入' if created else '更新'}答卷：{registration.name}，考场 {sheet.room}")
    return sheet
