"""A sitting's records registered from the exams app with the pack's retention; records held
while the body has an open violation record (issue #7: records tied to an open violation or
complaint are held)."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.archives import services
from skillreg.archives.models import ArchiveRecord
from skillreg.archives.tests.test_sittings import _sitting
from skillreg.conftest import NOW, login, make_user
from skillreg.core.errors import DomainError
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services.violations import violation_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def bz_keeper(bz_institution: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, username="bz-keeper", institution=bz_institution)


@pytest.fixture
def bz_approver(bazhong: Authority) -> User:
    return make_user(Role.APPROVING_OFFICIAL, bazhong, username="bz-approver")


def test_a_sitting_s_records_get_the_pack_s_retention_002_18(bz_keeper: User, bz_institution: Institution) -> None:
    # 002 第十八条 (bz-2023-special): paper kept ≥ 5 years, electronic ≥ 10 years.
    plan = _sitting(bz_institution, bz_keeper, rooms=1, per_room=2, copiers=0)
    client = login(bz_keeper)
    response = client.post("/api/v1/archives/records/from-sitting", {"plan": str(plan.public_id)},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    rows = {r["category"]: r for r in response.json()}
    assert len(rows) == len(services.SITTING_ITEMS)
    assert rows["score_sheets"]["retain_until"] == "2031-11-05"  # exam ended 2026-11-05, paper 5 years
    assert rows["answer_sheets"]["retain_until"] == "2036-11-05"  # electronic 10 years
    assert rows["score_sheets"]["retention_source"] == "002 第十八条"
    assert all(r["sitting"].startswith(plan.title) for r in rows.values())
    again = client.post("/api/v1/archives/records/from-sitting", {"plan": str(plan.public_id)},
                        content_type="application/json")
    assert again.status_code == 409 and "已登记" in again.json()["message"]
    assert ArchiveRecord.objects.count() == len(services.SITTING_ITEMS)


def test_another_body_cannot_register_a_sitting_s_records(bz_keeper: User, bz_institution: Institution,
                                                          nm_institution: Institution) -> None:
    plan = _sitting(bz_institution, bz_keeper, rooms=1, per_room=2, copiers=0)
    other = make_user(Role.INSTITUTION_USER, None, username="nm-keeper", institution=nm_institution)
    response = login(other).post("/api/v1/archives/records/from-sitting", {"plan": str(plan.public_id)},
                                 content_type="application/json")
    assert response.status_code == 404
    assert ArchiveRecord.objects.count() == 0


def test_an_open_violation_holds_the_body_s_earlier_records(bz_keeper: User, bz_approver: User, bz_official: User,
                                                            bz_institution: Institution) -> None:
    record = services.archive_record_create(actor=bz_keeper, institution=bz_institution, kind="paper",
                                            category="score_sheets", title="2020年第3场阅卷评分表",
                                            made_on=dt.date(2020, 6, 1), at=NOW)  # kept to 2025-06-01: due
    cat = get_pack(bz_institution.pack_id).violations[0]
    violation_record(actor=bz_official, institution=bz_institution, catalogue_key=cat.key,
                     item_key=cat.items[0].key or "", facts="阅卷评分表涉嫌改动", found_via=FoundVia.OTHER, at=NOW)
    with pytest.raises(DomainError) as caught:
        services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    assert caught.value.code == "open_case" and "违规记录" in caught.value.message
    # A record made after the case was opened is not tied to it.
    later = services.archive_record_create(actor=bz_keeper, institution=bz_institution, kind="paper",
                                           category="papers", title="之后的档案", made_on=dt.date(2026, 11, 21),
                                           at=dt.datetime(2032, 1, 1, 10, tzinfo=NOW.tzinfo))
    assert services.open_cases(later) == []
