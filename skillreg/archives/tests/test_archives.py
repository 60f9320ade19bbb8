"""Archive records: retention per pack (with its clause), holds, approval, destruction, the ledger."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from skillreg.accounts.models import Authority, Role, User
from skillreg.archives import services
from skillreg.archives.models import ArchiveRecord, DestructionLedgerEntry
from skillreg.archives.retention import add_years, retention_for
from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW, login, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.policies.registry import get_pack
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution

pytestmark = pytest.mark.django_db
MADE = dt.date(2020, 6, 1)


@pytest.mark.parametrize(("pack_id", "kind", "years", "at_least", "source"), [
    ("bz-2023-special", "paper", 5, True, "002 第十八条"),        # 纸质档保存不少于五年
    ("bz-2023-special", "electronic", 10, True, "002 第十八条"),  # 电子档保存不少于十年
    ("nm-2021-skill-level", "paper", 3, True, "003 四(九)"),      # 纸质材料保管不少于3年
    ("nm-2021-skill-level", "electronic", 5, True, "003 四(九)"), # 电子材料不少于5年
    ("sc-2021-appraisal", "paper", 3, False, "001 五(二)"),       # 文档资料…保存期三年
    ("sc-2021-appraisal", "video", 3, False, "001 五(二)"),       # 视频资料…保存期三年
])
def test_retention_comes_from_the_pack_with_its_clause(pack_id: str, kind: str, years: int, at_least: bool,
                                                       source: str) -> None:
    retention = retention_for(get_pack(pack_id), kind, MADE)
    assert (retention.years, retention.at_least, retention.source) == (years, at_least, source)
    assert retention.retain_until == dt.date(2020 + years, 6, 1)


@pytest.mark.parametrize(("pack_id", "kind"), [
    ("bz-2023-special", "video"), ("nm-2020-special", "paper"), ("gs-2022-special", "electronic"),
    ("sc-2021-appraisal", "electronic"),
])
def test_a_silent_pack_gives_no_retention_date(pack_id: str, kind: str) -> None:
    retention = retention_for(get_pack(pack_id), kind, MADE)
    assert retention.years is None and retention.retain_until is None
    assert retention.text == "文件未规定"


def test_a_period_from_29_february_ends_on_28_february() -> None:
    # 民法典 第二百零二条: no corresponding day → the last day of the month.
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)


def _record(actor: User, institution: Institution, *, kind: str = "paper", made_on: dt.date = MADE) -> ArchiveRecord:
    return services.archive_record_create(actor=actor, institution=institution, kind=kind,
                                          category="score_sheets", title="2020年第3场阅卷评分表",
                                          made_on=made_on, sitting="2020-03", at=NOW)


@pytest.fixture
def bz_approver(bazhong: Authority) -> User:
    return make_user(Role.APPROVING_OFFICIAL, bazhong, username="bz-approver", display_name="李审批")


@pytest.fixture
def bz_keeper(bz_institution: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, username="bz-keeper", institution=bz_institution,
                     display_name="张档案")


def test_destruction_is_refused_before_the_retention_date(bz_keeper: User, bz_approver: User,
                                                          bz_institution: Institution) -> None:
    # 002 第十八条: paper ≥ 5 years; made 2022-01-10 → kept to 2027-01-10; NOW is 2026-11-20.
    record = _record(bz_keeper, bz_institution, made_on=dt.date(2022, 1, 10))
    assert record.retain_until == dt.date(2027, 1, 10)
    with pytest.raises(DomainError) as caught:
        services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    assert caught.value.code == "retention_not_over" and caught.value.source == "002 第十八条"
    # On the last day of the period it is still refused; the next day it is allowed.
    last_day = dt.datetime(2027, 1, 10, 18, 0, tzinfo=clock.LOCAL_TZ)
    with pytest.raises(DomainError):
        services.archive_destruction_approve(actor=bz_approver, record=record, at=last_day)
    services.archive_destruction_approve(actor=bz_approver, record=record, at=last_day + dt.timedelta(days=1))


def test_a_record_without_a_retention_date_is_never_destroyed(bz_keeper: User, bz_approver: User,
                                                              bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution, kind="video", made_on=dt.date(2000, 1, 1))
    assert record.retain_until is None
    with pytest.raises(DomainError) as caught:
        services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    assert caught.value.code == "retention_unknown"


def test_destruction_writes_the_ledger_and_the_audit_000_3_2(bz_keeper: User, bz_approver: User,
                                                             bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution, made_on=dt.date(2020, 6, 1))  # kept to 2025-06-01
    services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    with pytest.raises(DomainError):  # the destroyer may not be their own witness
        services.archive_destroy(actor=bz_keeper, record=record, method="shred", witness="张档案", at=NOW)
    entry = services.archive_destroy(actor=bz_keeper, record=record, method="shred", witness="王监销", at=NOW)
    record.refresh_from_db()
    assert record.status == ArchiveRecord.Status.DESTROYED
    assert (entry.destroyed_by, entry.approved_by, entry.witness, entry.method) == (
        bz_keeper, bz_approver, "王监销", "shred")
    assert entry.destroyed_on == dt.date(2026, 11, 20) and entry.retain_until == dt.date(2025, 6, 1)
    actions = list(AuditEvent.objects.filter(object_id=str(record.public_id)).values_list("action", flat=True))
    assert actions == ["archives.record_create", "archives.destruction_approve", "archives.destroy"]
    with pytest.raises(DomainError):  # destroyed is final
        services.archive_destroy(actor=bz_keeper, record=record, method="shred", witness="王监销", at=NOW)


def test_destruction_needs_an_approval(bz_keeper: User, bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution)
    with pytest.raises(DomainError) as caught:
        services.archive_destroy(actor=bz_keeper, record=record, method="shred", witness="王监销", at=NOW)
    assert caught.value.code == "not_approved"
    assert DestructionLedgerEntry.objects.count() == 0


def test_a_held_record_cannot_be_approved_or_destroyed(bz_keeper: User, bz_approver: User, bz_official: User,
                                                       bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution)
    services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    services.archive_hold(actor=bz_official, record=record, reason="投诉案件 2026-017 未办结", at=NOW)
    with pytest.raises(DomainError) as caught:
        services.archive_destroy(actor=bz_keeper, record=record, method="shred", witness="王监销", at=NOW)
    assert caught.value.code == "held"
    with pytest.raises(DomainError):
        services.archive_destruction_approve(actor=bz_approver, record=record, at=NOW)
    record = services.archive_release(actor=bz_official, record=record, at=NOW)
    assert record.status == ArchiveRecord.Status.KEPT and record.approved_by is None  # approval lapsed


def test_only_approvers_over_the_body_approve_and_only_officials_hold(
        bz_keeper: User, bz_official: User, bz_institution: Institution, wuhai: Authority) -> None:
    record = _record(bz_keeper, bz_institution)
    with pytest.raises(DomainError):  # a filing official is not an approver
        services.archive_destruction_approve(actor=bz_official, record=record, at=NOW)
    with pytest.raises(DomainError):  # another region's approver
        services.archive_destruction_approve(actor=make_user(Role.APPROVING_OFFICIAL, wuhai, username="wa"),
                                             record=record, at=NOW)
    with pytest.raises(DomainError):  # the body cannot hold (or release) its own records
        services.archive_hold(actor=bz_keeper, record=record, reason="x", at=NOW)


def test_records_cannot_be_dated_in_the_future(bz_keeper: User, bz_institution: Institution) -> None:
    with pytest.raises(DomainError):
        _record(bz_keeper, bz_institution, made_on=dt.date(2026, 11, 21))


# --- pages, API, command ---------------------------------------------------------------------


def test_the_due_list_and_the_command_summary(bz_keeper: User, bz_official: User, bz_institution: Institution,
                                              ) -> None:
    old = _record(bz_keeper, bz_institution, made_on=dt.date(2020, 6, 1))  # due since 2025-06-02
    _record(bz_keeper, bz_institution, made_on=dt.date(2024, 6, 1))        # not due
    _record(bz_keeper, bz_institution, kind="video")                        # 文件未规定
    services.archive_hold(actor=bz_official, record=old, reason="违规核查中", at=NOW)
    body = login(bz_official).get("/api/v1/archives/records?due=true").json()
    assert [r["id"] for r in body] == [str(old.public_id)]
    out = io.StringIO()
    call_command("archives-due", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "截至 2026-11-20：保存期满待销毁档案 1 件（其中留置 1 件），文件未规定保存期限的档案 1 件。"


def test_the_pages_show_silence_as_such_and_run_the_whole_flow(
        bz_keeper: User, bz_approver: User, bz_institution: Institution) -> None:
    keeper = login(bz_keeper)
    response = keeper.post(reverse("archives:records"), {
        "institution": bz_institution.pk, "kind": "video", "category": "video", "title": "考场录像",
        "sitting": "", "made_on": "2020-01-01"})
    assert response.status_code == 302
    video = ArchiveRecord.objects.get(title="考场录像")
    assert "文件未规定" in keeper.get(reverse("archives:record", args=[video.public_id])).content.decode()
    paper = _record(bz_keeper, bz_institution)
    page = reverse("archives:record", args=[paper.public_id])
    assert login(bz_approver).post(page, {"action": "approve"}).status_code == 302
    response = keeper.post(page, {"action": "destroy", "method": "pulp", "witness": "王监销", "method_detail": ""})
    assert response.status_code == 302
    ledger = keeper.get(reverse("archives:ledger")).content.decode()
    assert "王监销" in ledger and "2020年第3场阅卷评分表" in ledger
    xlsx = keeper.get(reverse("archives:ledger_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv_text = keeper.get(reverse("archives:ledger_export", args=["csv"])).content.decode("utf-8-sig")
    assert "监销人" in csv_text and "王监销" in csv_text


def test_a_refusal_on_the_page_is_a_message_with_its_clause(bz_keeper: User, bz_approver: User,
                                                            bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution, made_on=dt.date(2024, 1, 1))
    response = login(bz_approver).post(reverse("archives:record", args=[record.public_id]),
                                       {"action": "approve"}, follow=True)
    assert "002 第十八条" in response.content.decode()


def test_the_api_refuses_early_destruction_with_a_4xx(bz_keeper: User, bz_approver: User,
                                                      bz_institution: Institution) -> None:
    record = _record(bz_keeper, bz_institution, made_on=dt.date(2024, 1, 1))
    response = login(bz_approver).post(f"/api/v1/archives/records/{record.public_id}/approve")
    assert response.status_code == 409
    assert response.json()["code"] == "retention_not_over"


def test_another_city_s_official_gets_404_and_anonymous_401(
        bz_keeper: User, bz_institution: Institution, wh_official: User) -> None:
    record = _record(bz_keeper, bz_institution)
    client = login(wh_official)
    assert client.get(reverse("archives:record", args=[record.public_id])).status_code == 404
    assert client.get(f"/api/v1/archives/records/{record.public_id}").status_code == 404
    assert client.post(f"/api/v1/archives/records/{record.public_id}/hold",
                       {"reason": "x"}, content_type="application/json").status_code == 404
    assert client.get("/api/v1/archives/records").json() == []
    assert client.get("/api/v1/archives/ledger").json() == []
    from django.test import Client

    assert Client().get(f"/api/v1/archives/records/{record.public_id}").status_code == 401
    assert Client().get(reverse("archives:ledger")).status_code == 302


def test_another_institution_s_user_sees_nothing_of_it(bz_keeper: User, bz_institution: Institution,
                                                       bazhong: Authority) -> None:
    record = _record(bz_keeper, bz_institution)
    other = InstitutionFactory(authority=bazhong, region_code="511902")
    stranger = make_user(Role.INSTITUTION_USER, None, username="other", institution=other)
    assert login(stranger).get(reverse("archives:record", args=[record.public_id])).status_code == 404
    response = login(stranger).post("/api/v1/archives/records", {
        "institution": str(bz_institution.public_id), "kind": "paper", "category": "other", "title": "x",
        "made_on": "2020-01-01"}, content_type="application/json")
    assert response.status_code == 404
