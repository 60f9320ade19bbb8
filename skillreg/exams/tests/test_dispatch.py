import datetime as dt
import itertools

import pytest

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, make_user
from skillreg.core.errors import DomainError
from skillreg.draws.services import draw_recompute
from skillreg.exams.models import AssessorAssignment, SupervisorAssignment
from skillreg.exams.services import dispatch as svc
from skillreg.exams.tests.conftest import make_assessor, make_plan
from skillreg.exams.tests.helpers import approve_application, at, register, submit_roster


def sitting(n, inst_user, inst, venue, scope, centre):
    closes = dt.date(2026, 11, 24)
    plan = make_plan(inst_user, inst, venue, scope, closes=closes, exam_start=closes + dt.timedelta(days=10 + n),
                     title=f"第{n}场")
    register(plan, inst_user, range(100 * n, 100 * n + 1))
    submit_roster(plan, inst_user, centre)
    return approve_application(plan, inst_user, centre)


def team(plan) -> set[int]:
    return set(AssessorAssignment.objects.filter(plan=plan).values_list("assessor_id", flat=True))


def test_rotation_holds_over_a_sequence_of_sittings(inst_user, inst, venue, scope, centre) -> None:
    # 002 第十五条: never 3 times running at one venue; at least 1/3 of the team changes each time.
    for i in range(1, 7):
        make_assessor("511900", i)
    teams = []
    for n in range(1, 6):
        plan = sitting(n, inst_user, inst, venue, scope, centre)
        svc.assessors_dispatch(actor=centre, plan=plan, count=3, at=NOW)
        teams.append(team(plan))
    for previous, current in itertools.pairwise(teams):
        assert len(current - previous) >= 1  # ceil(3 × 1/3)
    for a, b, c in zip(teams, teams[1:], teams[2:], strict=False):
        assert not (a & b & c)


def test_each_draw_is_recorded_and_recomputable(plan, inst_user, inst, venue, scope, centre) -> None:
    for i in range(1, 5):
        make_assessor("511900", i)
    plan = sitting(1, inst_user, inst, venue, scope, centre)
    for assignment in svc.assessors_dispatch(actor=centre, plan=plan, count=2, at=NOW):
        assert str(assignment.assessor.public_id) in draw_recompute(assignment.draw)


def test_an_unsatisfiable_rotation_says_which_rule(inst_user, inst, venue, scope, centre) -> None:
    for i in range(1, 4):
        make_assessor("511900", i)
    first = sitting(1, inst_user, inst, venue, scope, centre)
    svc.assessors_dispatch(actor=centre, plan=first, count=3, at=NOW)
    second = sitting(2, inst_user, inst, venue, scope, centre)
    with pytest.raises(DomainError) as err:
        svc.assessors_dispatch(actor=centre, plan=second, count=3, at=NOW)
    assert err.value.source == "002 第十五条" and "轮换不得少于1/3" in err.value.message
    assert not AssessorAssignment.objects.filter(plan=second).exists()


def test_the_consecutive_rule_is_named_when_it_empties_the_pool(inst_user, inst, venue, scope, centre) -> None:
    a1, a2 = make_assessor("511900", 1), make_assessor("511900", 2)
    p1 = sitting(1, inst_user, inst, venue, scope, centre)
    svc.assessors_dispatch(actor=centre, plan=p1, count=2, at=NOW)
    # The second sitting's team (recorded directly) repeats both: both sat twice running.
    p2 = sitting(2, inst_user, inst, venue, scope, centre)
    AssessorAssignment.objects.bulk_create([
        AssessorAssignment(plan=p2, assessor=a, draw=AssessorAssignment.objects.filter(plan=p1).first().draw,
                           assigned_at=NOW) for a in (a1, a2)])
    p3 = sitting(3, inst_user, inst, venue, scope, centre)
    with pytest.raises(DomainError) as err:
        svc.assessors_dispatch(actor=centre, plan=p3, count=1, at=NOW)
    assert err.value.source == "002 第十五条" and "连续考核三次" in err.value.message


def test_assessors_employed_by_the_institution_or_uncertified_are_excluded(plan, inst, inst_user, venue, scope,
                                                                            centre) -> None:
    make_assessor("511900", 1, employer=inst)
    make_assessor("511900", 2, scope_name="面点制作")
    ok = make_assessor("511900", 3)
    p = sitting(1, inst_user, inst, venue, scope, centre)
    [assignment] = svc.assessors_dispatch(actor=centre, plan=p, count=1, at=NOW)
    assert assignment.assessor == ok
    reasons = {e["reason"] for e in assignment.draw.exclusions}
    assert any("本考核机构" in r for r in reasons) and any("考评员资格" in r for r in reasons)


def test_only_the_centre_dispatches(inst_user, inst, venue, scope, centre, bz_official) -> None:
    make_assessor("511900", 1)
    p = sitting(1, inst_user, inst, venue, scope, centre)
    for actor in (inst_user, bz_official):
        with pytest.raises(DomainError):
            svc.assessors_dispatch(actor=actor, plan=p, count=1, at=NOW)


def test_quality_supervisors_are_drawn_and_file_their_report(inst_user, inst, venue, scope, centre,
                                                              bazhong) -> None:
    # 002 第十七条: 随机抽调委派质量督导员; 现场质量督导记录表 and 考评员考评工作评价记录表.
    for i in range(3):
        make_user(Role.SUPERVISOR, bazhong, username=f"sup{i}")
    p = sitting(1, inst_user, inst, venue, scope, centre)
    [assignment] = svc.supervisors_draw(actor=centre, plan=p, count=1, at=NOW)
    assert assignment.kind == SupervisorAssignment.Kind.EXTERNAL and assignment.draw.rule_source == "002 第十七条"
    internal = svc.internal_supervisor_record(actor=inst_user, plan=p, name="内部督导", at=NOW)
    assert internal.kind == SupervisorAssignment.Kind.INTERNAL
    with pytest.raises(DomainError):
        svc.supervision_report_file(actor=inst_user, assignment=assignment, site_record="x",
                                    assessor_evaluation=[], at=at(p.exam_start))
    report = svc.supervision_report_file(actor=assignment.user, assignment=assignment, site_record="考场秩序良好",
                                         assessor_evaluation=[{"assessor": "考评员1", "rating": "良好"}],
                                         corrections="制止考生交头接耳", at=at(p.exam_start))
    assert report.corrections
