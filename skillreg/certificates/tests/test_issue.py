"""Issuing: never before the results are approved, never inside a 公示 period, only in scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from skillreg.accounts.models import Role, User
from skillreg.audit.models import AuditEvent
from skillreg.certificates import approval
from skillreg.certificates.models import Certificate, CertificateSequence
from skillreg.certificates.services import Holder, certificates_issue
from skillreg.certificates.tests.conftest import Sitting, make_id
from skillreg.conftest import NOW, make_user
from skillreg.core.errors import DomainError, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam_plan(bz_official: User) -> object:
    """A real sitting of the exams app (its own builders), published but not yet through results."""
    exams = pytest.importorskip("skillreg.exams.tests.conftest", reason="the exams app has no test builders")
    from skillreg.registry.models import Institution

    body = exams.filed_institution(bz_official.authority, name="巴中市竹艺职业技能评价中心",
                                   code="ZX51190020260002")
    assert isinstance(body, Institution)
    user = make_user(Role.INSTITUTION_USER, None, institution=body, username="zy-body")
    plan = exams.make_plan(user, body, exams.filed_venue(body, bz_official), exams.scope_of(body))
    plan.test_user = user  # type: ignore[attr-defined]
    return plan


def test_it_refuses_to_issue_before_the_exams_app_approves_the_results(exam_plan: Any) -> None:
    """No stand-in: the exams app's own sitting_results_approved says no for a published plan."""
    assert approval._exams_hook("sitting_results_approved") is not None
    with pytest.raises(DomainError, match="成绩尚未审核") as exc:
        certificates_issue(actor=exam_plan.test_user, institution=exam_plan.institution, sitting=exam_plan,
                           occupation="竹编工艺", level=None, holders=[Holder("张伟", make_id())], at=NOW)
    assert exc.value.code == "results_not_approved"
    assert not Certificate.objects.exists() and not CertificateSequence.objects.exists()


def test_it_issues_once_the_exams_app_reports_the_results_approved(exam_plan: Any) -> None:
    """The real lookup again; the plan is put in its approved state directly (the exams workflow
    that gets it there is the exams app's to test)."""
    type(exam_plan).objects.filter(pk=exam_plan.pk).update(
        status="results_approved", results_decided_at=NOW - dt.timedelta(days=1))
    exam_plan.refresh_from_db()
    [cert] = certificates_issue(actor=exam_plan.test_user, institution=exam_plan.institution, sitting=exam_plan,
                                occupation="竹编工艺", level=None, holders=[Holder("张伟", make_id())], at=NOW)
    assert cert.number == "ZX5119002026000226000001" and cert.sitting_ref == str(exam_plan.public_id)


def test_it_refuses_to_issue_before_the_centre_approves_the_results(nm_user: User, exams_approvals: None) -> None:
    with pytest.raises(DomainError, match="该批次考核成绩尚未经审核"):
        certificates_issue(actor=nm_user, institution=nm_user.institution, sitting=Sitting("KS-2", None),
                           occupation="电工", level=5, holders=[Holder("张伟", make_id())], at=NOW)
    assert not Certificate.objects.exists()


def test_it_refuses_without_a_sitting(nm_user: User, exams_approvals: None) -> None:
    with pytest.raises(DomainError, match="未指明考核批次"):
        certificates_issue(actor=nm_user, institution=nm_user.institution, sitting=None,
                           occupation="电工", level=5, holders=[Holder("张伟", make_id())], at=NOW)


def test_no_publicity_period_by_default_because_the_documents_are_silent(
        nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    from skillreg.certificates.policy import SILENT_PUBLICITY, for_pack

    rules = for_pack("nm-2021-skill-level")
    assert rules is not None and rules.publicity_workdays is None and rules.publicity_note == SILENT_PUBLICITY
    just_approved = Sitting("KS-3", NOW - dt.timedelta(minutes=5))
    assert issue(nm_user, holders=[("张伟", make_id())], sitting=just_approved)


def test_it_refuses_to_issue_during_a_configured_publicity_period(
        settings, nm_user: User, issue: Callable[..., list[Certificate]]) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_CERTIFICATE_PUBLICITY_WORKDAYS = {"nm-2021-skill-level": 5}
    # Approved Friday 2026-11-13: 5 working days end Friday 11-20 (today); issue from 11-21 on.
    sitting = Sitting("KS-4", dt.datetime(2026, 11, 13, 16, 0, tzinfo=NOW.tzinfo))
    with pytest.raises(DomainError, match="公示期") as exc:
        issue(nm_user, holders=[("张伟", make_id())], sitting=sitting)
    assert exc.value.code == "in_publicity_period"
    later = dt.datetime(2026, 11, 23, 9, 0, tzinfo=NOW.tzinfo)
    assert issue(nm_user, holders=[("张伟", make_id())], sitting=sitting, at=later)


def test_it_refuses_outside_the_filed_occupations_and_levels(nm_user: User,
                                                             issue: Callable[..., list[Certificate]]) -> None:
    # 003 二(三): 按照本机构备案的职业（工种）、等级范围.
    with pytest.raises(DomainError) as exc:
        issue(nm_user, holders=[("张伟", make_id())], level=2)
    assert exc.value.source == "003 二(三)"
    with pytest.raises(DomainError, match="不在本机构备案"):
        issue(nm_user, holders=[("张伟", make_id())], occupation="焊工", level=5)


def test_skill_level_certificates_need_a_level_and_special_ones_have_none(
        nm_user: User, bz_user: User, issue: Callable[..., list[Certificate]]) -> None:
    with pytest.raises(InvalidInput, match="等级"):
        issue(nm_user, holders=[("张伟", make_id())], level=None)
    with pytest.raises(InvalidInput, match="不分等级"):
        issue(bz_user, holders=[("张伟", make_id())], occupation="中式面点制作", level=5)


def test_only_the_body_itself_issues(bz_user: User, wh_official: User, nm_body: object,
                                     approved_sitting: Sitting) -> None:
    for actor in (bz_user, wh_official):
        with pytest.raises(DomainError, match="只有本机构的用户") as exc:
            certificates_issue(actor=actor, institution=nm_body, sitting=approved_sitting,  # type: ignore[arg-type]
                               occupation="电工", level=5, holders=[Holder("张伟", make_id())], at=NOW)
        assert exc.value.status == 403


def test_the_same_person_is_not_certified_twice_for_the_same_level(
        nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    issue(nm_user, holders=[("张伟", make_id())])
    with pytest.raises(DomainError, match="已持有") as exc:
        issue(nm_user, holders=[("张伟", make_id())])
    assert make_id() not in exc.value.message  # masked in the message


def test_each_issue_is_audited_without_the_full_id(nm_user: User,
                                                  issue: Callable[..., list[Certificate]]) -> None:
    [cert] = issue(nm_user, holders=[("张伟", make_id())])
    event = AuditEvent.objects.get(action="certificates.issued")
    assert event.object_id == str(cert.public_id) and event.after["number"] == cert.number
    assert cert.id_number not in str(event.after) + event.summary


def test_a_pack_without_certificates_refuses(chengdu: object, approved_sitting: Sitting) -> None:
    from skillreg.accounts.models import Role
    from skillreg.conftest import make_user
    from skillreg.registry.factories import InstitutionFactory
    from skillreg.registry.models import Institution

    body = InstitutionFactory(authority=chengdu, pack_id="sc-2021-appraisal", status=Institution.Status.FILED,
                              code="510100-JD-2026-0001")
    user = make_user(Role.INSTITUTION_USER, None, institution=body, username="sc-body")
    with pytest.raises(DomainError, match="未规定由机构发放证书"):
        certificates_issue(actor=user, institution=body, sitting=approved_sitting, occupation="电工", level=5,
                           holders=[Holder("张伟", make_id())], at=NOW)


def test_a_linked_registration_must_have_passed_and_is_kept(exam_plan: Any) -> None:
    helpers = pytest.importorskip("skillreg.exams.tests.helpers", reason="the exams app has no test helpers")
    [failed, passed] = helpers.register(exam_plan, exam_plan.test_user, range(1, 3))
    type(exam_plan).objects.filter(pk=exam_plan.pk).update(status="results_approved", results_decided_at=NOW)
    type(failed).objects.filter(pk=failed.pk).update(passed=False, score=40)
    type(passed).objects.filter(pk=passed.pk).update(passed=True, score=80)
    failed.refresh_from_db()
    passed.refresh_from_db()

    def holder(reg: Any) -> Holder:
        return Holder(reg.name, reg.candidate.id_number, registration=reg)

    with pytest.raises(DomainError, match="不合格"):
        certificates_issue(actor=exam_plan.test_user, institution=exam_plan.institution, sitting=exam_plan,
                           occupation="竹编工艺", level=None, holders=[holder(failed)], at=NOW)
    [cert] = certificates_issue(actor=exam_plan.test_user, institution=exam_plan.institution, sitting=exam_plan,
                                occupation="竹编工艺", level=None, holders=[holder(passed)], at=NOW)
    assert cert.registration == passed and passed.certificate == cert
