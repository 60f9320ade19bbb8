"""002 第二十条–第二十二条: grades, direct fail, rectification, termination proposal."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.conftest import NOW, login
from skillreg.core.errors import DomainError
from skillreg.registry.models import DirectoryEntry, Institution
from skillreg.supervision.models import Evaluation, Rectification, TerminationProposal
from skillreg.supervision.services import grading, sanctions
from skillreg.supervision.tests.conftest import filed

LATER = NOW + dt.timedelta(days=200)


def test_passing_grade_continues_002_art20(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    ev = grading.evaluation_record(actor=bz_official, institution=inst, kind="three_year", proposed_grade="良好",
                                   at=NOW)
    assert ev.grade == "良好" and not Rectification.objects.exists()


@pytest.mark.parametrize("key", ["ineligible-or-proxy", "unfit-or-unsafe", "disorder", "papers-or-scores",
                                 "fraud", "overcharging", "idle-year"])
def test_any_of_seven_behaviours_makes_grade_fail_002_art22(bazhong, bz_official, key: str) -> None:
    inst = filed(bazhong)
    ev = grading.evaluation_record(actor=bz_official, institution=inst, kind="periodic", proposed_grade="优秀",
                                   direct_fail=[key], at=NOW)
    assert ev.grade == "不合格" and ev.source.startswith("002 第二十二条(")


def test_fail_opens_rectification_of_six_months_002_art20(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    grading.evaluation_record(actor=bz_official, institution=inst, kind="periodic", proposed_grade="不合格", at=NOW)
    rect = Rectification.objects.get(institution=inst)
    assert rect.deadline == dt.date(2027, 5, 20) and rect.source == "002 第二十条"


def test_packs_without_grades_refuse_grading(wuhai, wh_official) -> None:
    inst = filed(wuhai, pack_id="nm-2020-special")
    with pytest.raises(DomainError) as exc:
        grading.evaluation_record(actor=wh_official, institution=inst, kind="periodic", proposed_grade="合格",
                                  at=NOW)
    assert exc.value.code == "no_grading"


def _failed_rectification(bazhong, bz_official):  # type: ignore[no-untyped-def]
    inst = filed(bazhong)
    grading.evaluation_record(actor=bz_official, institution=inst, kind="periodic", proposed_grade="不合格", at=NOW)
    return inst, Rectification.objects.get(institution=inst)


def test_fail_before_deadline_is_refused_002_art20(bazhong, bz_official) -> None:
    inst, rect = _failed_rectification(bazhong, bz_official)
    with pytest.raises(DomainError) as exc:
        grading.evaluation_record(actor=bz_official, institution=inst, kind="re_evaluation",
                                  proposed_grade="不合格", rectification=rect, at=NOW)
    assert exc.value.source == "002 第二十条"


def test_rectification_path_ends_in_proposal_to_approving_official_002_art20(
        bazhong, bz_official, bz_approver) -> None:
    inst, rect = _failed_rectification(bazhong, bz_official)
    grading.evaluation_record(actor=bz_official, institution=inst, kind="re_evaluation", proposed_grade="不合格",
                              rectification=rect, at=LATER)
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.FAILED
    proposal = TerminationProposal.objects.get(institution=inst)
    assert proposal.status == TerminationProposal.Status.PROPOSED and proposal.source == "002 第二十条"
    # The filing official may not decide; the approving official does.
    with pytest.raises(DomainError):
        sanctions.proposal_decide(actor=bz_official, proposal=proposal, approve=True, note="", at=LATER)
    sanctions.proposal_decide(actor=bz_approver, proposal=proposal, approve=True, note="同意", at=LATER)
    inst.refresh_from_db()
    assert inst.status == Institution.Status.REVOKED
    entry = DirectoryEntry.objects.get(institution=inst, superseded_at__isnull=True)
    assert entry.active is False


def test_passing_re_evaluation_closes_rectification(bazhong, bz_official) -> None:
    inst, rect = _failed_rectification(bazhong, bz_official)
    grading.evaluation_record(actor=bz_official, institution=inst, kind="re_evaluation", proposed_grade="合格",
                              rectification=rect, at=NOW)
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.PASSED and not TerminationProposal.objects.exists()


def test_another_citys_official_gets_404_on_institution_file(bazhong, wh_official, bz_official) -> None:
    inst = filed(bazhong)
    assert login(wh_official).get(f"/supervision/institutions/{inst.public_id}/").status_code == 404
    r = login(wh_official).post(f"/api/v1/supervision/institutions/{inst.public_id}/evaluations",
                                {"kind": "periodic", "grade": "合格"}, content_type="application/json")
    assert r.status_code == 404


def test_institution_file_page_shows_everything(bazhong, bz_official) -> None:
    inst, _ = _failed_rectification(bazhong, bz_official)
    page = login(bz_official).get(f"/supervision/institutions/{inst.public_id}/").content.decode()
    assert "考核评估等级" in page and "不合格" in page and "限期整改" in page


def test_api_evaluation_reports_rectification(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    r = login(bz_official).post(f"/api/v1/supervision/institutions/{inst.public_id}/evaluations",
                                {"kind": "periodic", "grade": "合格", "direct_fail": ["fraud"]},
                                content_type="application/json")
    assert r.status_code == 201 and r.json()["grade"] == "不合格" and r.json()["rectification_opened"]
    assert Evaluation.objects.count() == 1
