"""Violation catalogues and the sanction ladder (000 三(三), 001 五(三)–(四), 003 五(五))."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.conftest import NOW, login
from skillreg.core.errors import InvalidInput
from skillreg.registry.models import Institution
from skillreg.supervision.models import Rectification, TerminationProposal
from skillreg.supervision.models.violations import SanctionKind
from skillreg.supervision.selectors import is_blacklisted
from skillreg.supervision.services import sanctions, violations
from skillreg.supervision.tests.conftest import filed


def test_nm_2021_revocation_puts_code_on_blacklist_003_5_5(wuhai, wh_official, wh_approver) -> None:
    inst = filed(wuhai, pack_id="nm-2021-skill-level")
    record = violations.violation_record(actor=wh_official, institution=inst, catalogue_key="sanction-ladder",
                                         item_key="breach", facts="伪造考核记录", found_via="inspection", at=NOW)
    violations.violation_decide(actor=wh_official, violation=record, steps=["取消评价资质"], note="情节严重", at=NOW)
    proposal = TerminationProposal.objects.get(institution=inst)
    assert proposal.blacklist and is_blacklisted(inst.credit_code) is None  # not before the decision
    sanctions.proposal_decide(actor=wh_approver, proposal=proposal, approve=True, note="", at=NOW)
    inst.refresh_from_db()
    assert inst.status == Institution.Status.REVOKED
    entry = is_blacklisted(inst.credit_code)
    assert entry is not None and entry.source == "003 五(五)"
    assert is_blacklisted(inst.credit_code.lower()) == entry  # a new application typed in lower case
    page = login(wh_official).get("/supervision/public/sanctions/").content.decode()
    assert inst.credit_code in page


def test_graded_catalogue_takes_one_step_003_5_5(wuhai, wh_official) -> None:
    inst = filed(wuhai, pack_id="nm-2021-skill-level")
    record = violations.violation_record(actor=wh_official, institution=inst, catalogue_key="sanction-ladder",
                                         item_key="poor-management", facts="x", found_via="media", at=NOW)
    with pytest.raises(InvalidInput):
        violations.violation_decide(actor=wh_official, violation=record, steps=["通报批评", "限期整改"], note="",
                                    at=NOW)
    record = violations.violation_decide(actor=wh_official, violation=record, steps=["通报批评"], note="", at=NOW)
    assert record.sanction == SanctionKind.CRITICISM


def test_rectification_step_needs_a_deadline_001_5_3(chengdu) -> None:
    from skillreg.accounts.models import Role
    from skillreg.conftest import make_user

    official = make_user(Role.FILING_OFFICIAL, chengdu, username="cd")
    inst = filed(chengdu, pack_id="sc-2021-appraisal")
    record = violations.violation_record(actor=official, institution=inst, catalogue_key="record-rectify-notify",
                                         item_key="false-advertising", facts="虚假宣传", found_via="report", at=NOW)
    steps = ["记录", "督促限期整改", "给予通报"]
    with pytest.raises(InvalidInput):
        violations.violation_decide(actor=official, violation=record, steps=steps, note="", at=NOW)
    violations.violation_decide(actor=official, violation=record, steps=steps, note="", at=NOW,
                                deadline=dt.date(2027, 1, 31))
    assert Rectification.objects.get(violation=record).deadline == dt.date(2027, 1, 31)


def test_sc_revocation_is_not_blacklisted_001_5_4(chengdu) -> None:
    from skillreg.accounts.models import Role
    from skillreg.conftest import make_user

    official = make_user(Role.FILING_OFFICIAL, chengdu, username="cd")
    inst = filed(chengdu, pack_id="sc-2021-appraisal")
    record = violations.violation_record(actor=official, institution=inst, catalogue_key="revoke-and-publish",
                                         item_key="false-filing", facts="虚假承诺", found_via="report", at=NOW)
    violations.violation_decide(actor=official, violation=record, steps=["取消备案资格", "及时向社会公布"],
                                note="", at=NOW)
    assert TerminationProposal.objects.get(institution=inst).blacklist is False


def test_step_classification() -> None:
    assert violations.classify_step("不予备案或取消资质") == SanctionKind.REVOCATION
    assert violations.classify_step("由相应层级人力资源社会保障部门责令停止鉴定活动") == SanctionKind.SUSPENSION
    assert violations.classify_step("一经查实，取消申报资格") == SanctionKind.DISQUALIFY


def test_another_citys_official_cannot_see_violation(wuhai, wh_official, bz_official) -> None:
    inst = filed(wuhai, pack_id="nm-2021-skill-level")
    record = violations.violation_record(actor=wh_official, institution=inst, catalogue_key="sanction-ladder",
                                         item_key="breach", facts="x", found_via="media", at=NOW)
    assert login(bz_official).get(f"/supervision/violations/{record.public_id}/").status_code == 404
    r = login(bz_official).post(f"/api/v1/supervision/violations/{record.public_id}/decide",
                                {"steps": ["通报批评"]}, content_type="application/json")
    assert r.status_code == 404
