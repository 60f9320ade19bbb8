from decimal import Decimal

import pytest

from skillreg.conftest import NOW
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams.models import ExamPlan
from skillreg.exams.selectors import passed_registrations
from skillreg.exams.services import dispatch
from skillreg.exams.services import scoring as svc
from skillreg.exams.tests.conftest import make_assessor
from skillreg.exams.tests.helpers import approve_application, at, register, submit_roster


@pytest.fixture
def sitting(plan, inst_user, centre):
    regs = register(plan, inst_user, range(1, 3))
    submit_roster(plan, inst_user, centre)
    plan = approve_application(plan, inst_user, centre)
    a1, a2 = make_assessor("511900", 1), make_assessor("511900", 2)
    dispatch.assessors_dispatch(actor=centre, plan=plan, count=2, at=NOW)
    return plan, regs, a1.user, a2.user


def scores(regs, *values):
    return {r.public_id: (Decimal(v) if v is not None else None) for r, v in zip(regs, values, strict=True)}


def test_an_assessor_cannot_see_others_before_signing(sitting) -> None:
    # 002 第十六条: 阅卷、评分由考评员独立进行并签名负责.
    plan, regs, u1, u2 = sitting
    day = at(plan.exam_start)
    svc.scores_enter(actor=u1, plan=plan, scores=scores(regs, 80, 50), at=day)
    svc.score_sheet_submit(actor=u1, plan=plan, signature_name="考评员1", at=day)
    svc.scores_enter(actor=u2, plan=plan, scores=scores(regs, 70, 40), at=day)
    seen = svc.sheets_visible_to(u2, plan)
    assert [s.assignment.assessor.user for s in seen] == [u2]
    svc.score_sheet_submit(actor=u2, plan=plan, signature_name="考评员2", at=day)
    assert len(svc.sheets_visible_to(u2, plan)) == 2


def test_a_signed_sheet_is_locked(sitting) -> None:
    plan, regs, u1, _ = sitting
    day = at(plan.exam_start)
    svc.scores_enter(actor=u1, plan=plan, scores=scores(regs, 80, 50), at=day)
    sheet = svc.score_sheet_submit(actor=u1, plan=plan, signature_name="考评员1", at=day)
    assert sheet.signed_by == u1 and sheet.submitted_at == day
    with pytest.raises(DomainError) as err:
        svc.scores_enter(actor=u1, plan=plan, scores=scores(regs, 90, 90), at=day)
    assert err.value.code == "score_locked"


def test_only_the_centre_corrects_with_a_reason(sitting, centre, inst_user) -> None:
    plan, regs, u1, _ = sitting
    day = at(plan.exam_start)
    sheet = svc.scores_enter(actor=u1, plan=plan, scores=scores(regs, 80, 50), at=day)
    svc.score_sheet_submit(actor=u1, plan=plan, signature_name="考评员1", at=day)
    score = sheet.scores.get(registration=regs[1])
    with pytest.raises(DomainError):
        svc.score_correct(actor=inst_user, score=score, value=Decimal(60), reason="x", at=day)
    with pytest.raises(InvalidInput):
        svc.score_correct(actor=centre, score=score, value=Decimal(60), reason="", at=day)
    corrected = svc.score_correct(actor=centre, score=score, value=Decimal(60), reason="漏计第 3 题分数", at=day)
    assert corrected.value == Decimal(60) and corrected.corrections.get().old_value == Decimal(50)


def test_results_are_final_only_after_the_centre_approves(sitting, inst_user, centre) -> None:
    plan, regs, u1, u2 = sitting
    day = at(plan.exam_start)
    for user, values in ((u1, (80, 50)), (u2, (70, None))):
        svc.scores_enter(actor=user, plan=plan, scores=scores(regs, *values), at=day)
        svc.score_sheet_submit(actor=user, plan=plan, signature_name="签名", at=day)
    plan = svc.results_submit(actor=inst_user, plan=plan, at=day)
    assert not svc.sitting_results_approved(plan)
    assert list(passed_registrations(plan)) == []
    with pytest.raises(InvalidInput):
        svc.results_decide(actor=centre, plan=plan, approve=False, at=day)
    plan = svc.results_decide(actor=centre, plan=plan, approve=True, at=day)
    assert plan.status == ExamPlan.Status.RESULTS_APPROVED and svc.sitting_results_approved(plan)
    passed = list(passed_registrations(plan))
    assert [r.pk for r in passed] == [regs[0].pk] and passed[0].score == Decimal("75.00")


def test_results_wait_for_every_signature(sitting, inst_user) -> None:
    plan, regs, u1, _ = sitting
    day = at(plan.exam_start)
    svc.scores_enter(actor=u1, plan=plan, scores=scores(regs, 80, 50), at=day)
    svc.score_sheet_submit(actor=u1, plan=plan, signature_name="考评员1", at=day)
    with pytest.raises(DomainError) as err:
        svc.results_submit(actor=inst_user, plan=plan, at=day)
    assert err.value.code == "scores_unsigned" and err.value.source == "002 第十六条"


def test_an_answer_sheet_is_stored_per_room(sitting, inst_user) -> None:
    _plan, regs, *_ = sitting
    sheet = svc.answer_sheet_record(actor=inst_user, registration=regs[0], room="第1考场",
                                    answers=["A", None, "BD"], at=NOW)
    assert sheet.answers == ["A", None, "BD"]
    with pytest.raises(InvalidInput):
        svc.answer_sheet_record(actor=inst_user, registration=regs[0], room="第1考场", answers=[1, 2], at=NOW)
