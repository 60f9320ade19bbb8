import datetime as dt

import pytest

from skillreg.core.errors import DomainError
from skillreg.exams.models import ExamPlan
from skillreg.exams.services import plans as svc
from skillreg.exams.tests.helpers import at, pdf, register, submit_roster


def _submit(plan, user, day):
    return svc.exam_application_submit(actor=user, plan=plan, scheme="方案", emergency_plan=pdf(user),
                                       papers_requested=5, at=at(day))


def test_the_application_within_three_working_days_is_accepted(plan, inst_user, centre) -> None:
    register(plan, inst_user, range(1, 3))
    submit_roster(plan, inst_user, centre)
    # Registration closed Tue 11-24; + 3 working days = Fri 11-27.
    application = _submit(plan, inst_user, dt.date(2026, 11, 27))
    assert application.due == dt.date(2026, 11, 27) and application.roster_count == 2
    svc.exam_application_decide(actor=centre, plan=plan, approve=True, at=at(dt.date(2026, 11, 27)))
    assert ExamPlan.objects.get(pk=plan.pk).status == ExamPlan.Status.APPROVED


def test_a_late_exam_application_is_refused_with_the_clause(plan, inst_user, centre) -> None:
    # 002 第六条(二): 报名截止3个工作日内 … 申请本次考核试卷.
    register(plan, inst_user, range(1, 2))
    submit_roster(plan, inst_user, centre)
    with pytest.raises(DomainError) as err:
        _submit(plan, inst_user, dt.date(2026, 11, 30))
    assert err.value.code == "exam_application_late" and err.value.source == "002 第六条(二)"
    assert ExamPlan.objects.get(pk=plan.pk).status == ExamPlan.Status.PUBLISHED


def test_no_application_before_registration_closes(plan, inst_user, centre) -> None:
    register(plan, inst_user, range(1, 2))
    submit_roster(plan, inst_user, centre)
    with pytest.raises(DomainError) as err:
        _submit(plan, inst_user, dt.date(2026, 11, 24))
    assert err.value.code == "registration_open"


def test_the_centre_cannot_approve_before_the_roster_is_approved(plan, inst_user, centre) -> None:
    register(plan, inst_user, range(1, 2))
    submit_roster(plan, inst_user, centre, approve=False)
    _submit(plan, inst_user, dt.date(2026, 11, 25))
    with pytest.raises(DomainError) as err:
        svc.exam_application_decide(actor=centre, plan=plan, approve=True, at=at(dt.date(2026, 11, 25)))
    assert err.value.code == "roster_not_approved"


def test_the_last_held_exam_is_what_the_inactivity_flag_reads(plan, inst_user, centre) -> None:
    from skillreg.exams.selectors import last_exam_date
    from skillreg.exams.tests.helpers import approve_application

    register(plan, inst_user, range(1, 2))
    submit_roster(plan, inst_user, centre)
    assert last_exam_date(plan.institution) is None  # announced, not held
    plan = approve_application(plan, inst_user, centre)
    assert last_exam_date(plan.institution, today=plan.exam_end - dt.timedelta(days=1)) is None
    assert last_exam_date(plan.institution, today=plan.exam_end) == plan.exam_end
