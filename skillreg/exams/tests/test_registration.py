import datetime as dt

import pytest

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams.models import Registration, RosterReview
from skillreg.exams.services import registrations as svc
from skillreg.exams.services.registrations import CandidateRow
from skillreg.exams.tests.conftest import filed_institution, filed_venue, make_id, make_plan, scope_of
from skillreg.registry.models import BodyKind


def row(serial: int = 1, **kw: str) -> CandidateRow:
    data = {"name": "张三", "id_number": make_id(serial), "education": "高中"} | kw
    return CandidateRow(**data)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.LOCAL_TZ)


def test_a_candidate_is_registered_with_birth_date_and_masked_id(plan, inst_user) -> None:
    reg = svc.registration_create(actor=inst_user, plan=plan, row=row(7), at=NOW)
    assert reg.candidate.birth_date == dt.date(1990, 1, 1)
    assert reg.masked_id == make_id(7)[:6] + "********" + make_id(7)[-4:]


def test_a_wrong_check_digit_says_so(plan, inst_user) -> None:
    good = make_id(7)
    with pytest.raises(InvalidInput) as err:
        bad = good[:-1] + ("1" if good[-1] == "0" else "0")
        svc.registration_create(actor=inst_user, plan=plan, row=row(id_number=bad), at=NOW)
    assert "校验位" in err.value.message and err.value.field == "id_number"


def test_entry_after_the_registration_deadline_is_refused(plan, inst_user) -> None:
    # 002 第六条(一): candidates are entered within the 3 working days before the deadline.
    with pytest.raises(DomainError) as err:
        svc.registration_create(actor=inst_user, plan=plan, row=row(), at=at(dt.date(2026, 11, 25)))
    assert err.value.code == "entry_late" and err.value.source == "002 第六条(一)"


def test_entry_before_the_window_is_refused_and_names_it(inst_user, inst, venue, scope) -> None:
    # Deadline Friday 2026-12-04: the window is Wed 12-02 … Fri 12-04.
    plan = make_plan(inst_user, inst, venue, scope, closes=dt.date(2026, 12, 4))
    with pytest.raises(DomainError) as err:
        svc.registration_create(actor=inst_user, plan=plan, row=row(), at=at(dt.date(2026, 12, 1)))
    assert err.value.code == "entry_too_early" and "2026年12月02日" in err.value.message
    assert svc.registration_create(actor=inst_user, plan=plan, row=row(), at=at(dt.date(2026, 12, 2)))


def test_the_window_counts_working_days_over_a_weekend(plan) -> None:
    window = svc.entry_window(plan)  # deadline Tue 11-24: Fri 11-20, Mon 11-23, Tue 11-24
    assert window.first == dt.date(2026, 11, 20) and window.last == dt.date(2026, 11, 24)


def test_a_trainee_of_the_institution_is_refused(plan, inst, inst_user) -> None:
    # 002 第五条(四) 考培分离: no assessing of the institution's own trainees.
    svc.training_roster_declare(actor=inst_user, institution=inst, title="2026 秋季竹编培训班",
                                trainees=[("李四", make_id(9))], at=NOW)
    with pytest.raises(DomainError) as err:
        svc.registration_create(actor=inst_user, plan=plan, row=row(9), at=NOW)
    assert err.value.source == "002 第五条(四)" and "考培分离" in err.value.message


def test_the_same_person_twice_in_one_sitting_is_refused(plan, inst_user) -> None:
    svc.registration_create(actor=inst_user, plan=plan, row=row(3), at=NOW)
    with pytest.raises(InvalidInput) as err:
        svc.registration_create(actor=inst_user, plan=plan, row=row(3), at=NOW)
    assert "重复报名" in err.value.message
    assert Registration.objects.filter(plan=plan).count() == 1


@pytest.fixture
def enterprise_plan(wuhai, wh_official):
    inst = filed_institution(wuhai, pack_id="nm-2021-skill-level", body_kind=BodyKind.ENTERPRISE)
    user = make_user(Role.INSTITUTION_USER, None, institution=inst)
    return make_plan(user, inst, filed_venue(inst, wh_official), scope_of(inst, "电工", 4)), user


def test_an_enterprise_assesses_only_its_workers(enterprise_plan) -> None:
    # 003 三(一): 面向本企业职工（含劳务派遣、劳务外包等各类用工人员）.
    plan, user = enterprise_plan
    with pytest.raises(DomainError) as err:
        svc.registration_create(actor=user, plan=plan, row=row(1, relation="无"), at=NOW)
    assert err.value.source == "003 三(一)"
    assert svc.registration_create(actor=user, plan=plan, row=row(2, relation="劳务派遣人员"), at=NOW)
    assert svc.registration_create(actor=user, plan=plan, row=row(4, relation="outsourced"), at=NOW)


def test_a_technical_school_assesses_only_its_students(wuhai, wh_official) -> None:
    # 003 三(二): 面向本校学生.
    inst = filed_institution(wuhai, pack_id="nm-2021-skill-level", body_kind=BodyKind.TECHNICAL_SCHOOL)
    user = make_user(Role.INSTITUTION_USER, None, institution=inst)
    plan = make_plan(user, inst, filed_venue(inst, wh_official), scope_of(inst, "电工", 5))
    with pytest.raises(DomainError) as err:
        svc.registration_create(actor=user, plan=plan, row=row(1, relation="本单位职工"), at=NOW)
    assert err.value.source == "003 三(二)"
    assert svc.registration_create(actor=user, plan=plan, row=row(1, relation="本校学生"), at=NOW)


def test_bazhong_does_not_restrict_by_relation(plan, inst_user) -> None:
    # 002 第七条 names kinds that may apply, not whom they assess: no relation rule there.
    assert svc.registration_create(actor=inst_user, plan=plan, row=row(1, relation="无"), at=NOW)


def _letter(inst_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from skillreg.files.services import file_store
    with transaction.atomic():
        return file_store(actor=inst_user, upload=SimpleUploadedFile("责任书.pdf", b"%PDF-1.4\n%%EOF\n"), at=NOW)


def _materials(reg, inst_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for key in svc.material_items(reg.plan):
        svc.registration_attach_material(actor=inst_user, registration=reg, key=key,
                                         upload=SimpleUploadedFile(f"{key}.pdf", b"%PDF-1.4\n%%EOF\n"), at=NOW)


def test_the_roster_goes_to_the_centre_only_with_all_materials(plan, inst_user, centre) -> None:
    # 002 第六条(一): 一表一书两证明 uploaded; roster and quality letter reviewed by the centre.
    reg = svc.registration_create(actor=inst_user, plan=plan, row=row(1), at=NOW)
    with pytest.raises(DomainError) as err:
        svc.roster_submit(actor=inst_user, plan=plan, quality_letter=_letter(inst_user), at=NOW)
    assert err.value.code == "materials_missing"
    _materials(reg, inst_user)
    review = svc.roster_submit(actor=inst_user, plan=plan, quality_letter=_letter(inst_user), at=NOW)
    with pytest.raises(InvalidInput):
        svc.roster_decide(actor=centre, review=review, approve=False, reason=" ", at=NOW)
    review = svc.roster_decide(actor=centre, review=review, approve=False, reason="承诺书未签字", at=NOW)
    assert review.status == RosterReview.Status.RETURNED and review.reason == "承诺书未签字"
    again = svc.roster_submit(actor=inst_user, plan=plan, quality_letter=_letter(inst_user), at=NOW)
    assert svc.roster_decide(actor=centre, review=again, approve=True, at=NOW).status == "approved"


def test_the_id_number_never_reaches_the_audit_log(plan, inst_user) -> None:
    from skillreg.audit.models import AuditEvent

    svc.registration_create(actor=inst_user, plan=plan, row=row(11), at=NOW)
    number = make_id(11)
    for event in AuditEvent.objects.all():
        assert number not in f"{event.summary}{event.before}{event.after}"
