"""002 第五条(五): 每年提交年度工作计划和总结 — institutions submit, the authority sees who has not.

The document sets no date: the pack says so (null + note) and the system default applies
(plan by 31 January of its year, summary by 31 January of the next), configurable.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import Role
from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW, login, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.policies.registry import get_pack
from skillreg.supervision import selectors
from skillreg.supervision.models import AnnualReport
from skillreg.supervision.services import reports
from skillreg.supervision.services.common import NotAllowed
from skillreg.supervision.tests.conftest import filed

OLD = NOW - dt.timedelta(days=500)  # filed in 2025: owes the 2026 plan
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _staff(institution, name="staff"):  # type: ignore[no-untyped-def]
    return make_user(Role.INSTITUTION_USER, None, institution=institution, username=f"{name}-{institution.pk}")


def test_pack_states_the_silence_on_dates_002_art5_5() -> None:
    rule = get_pack("bz-2023-special").supervision.annual_reports
    assert rule is not None and rule.source == "002 第五条(五)"
    assert rule.plan_due is None and rule.summary_due is None and "未规定" in (rule.note or "")
    # The other documents lay no such duty on institutions.
    assert get_pack("nm-2021-skill-level").supervision.annual_reports is None


def test_submission_after_default_deadline_is_late_and_audited_002_art5_5(bazhong) -> None:
    inst = filed(bazhong, registered_at=OLD)
    report = reports.annual_report_submit(actor=_staff(inst), kind="plan", year=2026, content="计划", at=NOW)
    assert report.due == dt.date(2026, 1, 31) and report.late
    assert "002 第五条(五)" in report.due_source and "系统默认" in report.due_source and "可配置" in report.due_source
    event = AuditEvent.objects.get(action="supervision.annual_report_submitted")
    assert event.after["late"] is True and event.after["source"] == "002 第五条(五)"
    summary = reports.annual_report_submit(actor=_staff(inst, "s2"), kind="summary", year=2026, content="总结", at=NOW)
    assert summary.due == dt.date(2027, 1, 31) and not summary.late


def test_default_deadline_is_configurable_002_art5_5(bazhong, settings) -> None:
    settings.SKILLREG_ANNUAL_PLAN_DUE = "12-31"
    inst = filed(bazhong, registered_at=OLD)
    report = reports.annual_report_submit(actor=_staff(inst), kind="plan", year=2026, content="计划", at=NOW)
    assert report.due == dt.date(2026, 12, 31) and not report.late


def test_once_per_year_and_kind_and_only_by_the_institution(bazhong, bz_official) -> None:
    inst = filed(bazhong, registered_at=OLD)
    staff = _staff(inst)
    reports.annual_report_submit(actor=staff, kind="plan", year=2026, content="计划", at=NOW)
    with pytest.raises(DomainError) as exc:
        reports.annual_report_submit(actor=staff, kind="plan", year=2026, content="又一份", at=NOW)
    assert exc.value.code == "already_submitted" and exc.value.source == "002 第五条(五)"
    with pytest.raises(NotAllowed):
        reports.annual_report_submit(actor=bz_official, kind="plan", year=2026, content="代报", at=NOW)
    with pytest.raises(DomainError) as exc:
        reports.annual_report_submit(actor=staff, kind="summary", year=2027, content="未来", at=NOW)
    assert exc.value.field == "year"
    with pytest.raises(DomainError) as exc:
        reports.annual_report_submit(actor=staff, kind="plan", year=2026, content="  ", at=NOW)
    assert exc.value.field == "content"


def test_pack_without_the_duty_refuses(wuhai) -> None:
    inst = filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD)
    with pytest.raises(DomainError) as exc:
        reports.annual_report_submit(actor=_staff(inst), kind="plan", year=2026, content="计划", at=NOW)
    assert exc.value.code == "not_required"


def test_authority_sees_who_has_and_has_not_submitted_002_art5_5(bazhong, bz_official, wh_official) -> None:
    done = filed(bazhong, registered_at=OLD, name="已报送机构")
    missing = filed(bazhong, registered_at=OLD, name="未报送机构")
    recent = filed(bazhong, registered_at=NOW, name="新备案机构")  # filed after 31 January: no 2026 plan owed
    reports.annual_report_submit(actor=_staff(done), kind="plan", year=2026, content="计划", at=NOW)
    rows = {inst.name: {s.kind: s for s in states} for inst, states in selectors.annual_report_overview(bz_official,
                                                                                                     2026)}
    today = NOW.date()
    assert rows[done.name]["plan"].status(today) == "逾期报送"
    assert rows[missing.name]["plan"].status(today) == "逾期未报送" and rows[missing.name]["plan"].overdue(today)
    assert rows[recent.name]["plan"].status(today) == "不适用（备案晚于报送期限）"
    assert rows[missing.name]["summary"].status(today) == "待报送"
    # The summary of 2026 goes overdue on the first day after 31 January 2027.
    assert not rows[missing.name]["summary"].overdue(dt.date(2027, 1, 31))
    assert rows[missing.name]["summary"].overdue(dt.date(2027, 2, 1))
    assert selectors.annual_report_overview(wh_official, 2026) == []

    page = login(bz_official).get("/supervision/reports/?year=2026").content.decode()
    assert "未报送机构" in page and "逾期未报送" in page and "系统默认" in page
    board = login(bz_official).get("/supervision/").content.decode()
    assert "未报送机构" in board and "002 第五条(五)" in board
    file_page = login(bz_official).get(f"/supervision/institutions/{missing.public_id}/").content.decode()
    assert "年度工作计划" in file_page and "逾期未报送" in file_page


def test_institution_page_submits_with_attachment_and_keeps_input_on_error(bazhong, bz_official) -> None:
    inst = filed(bazhong, registered_at=OLD)
    client = login(_staff(inst))
    assert client.get("/supervision/").url == "/supervision/reports/"
    assert 'href="/supervision/"' in client.get("/supervision/reports/").content.decode()  # in the navigation
    r = client.post("/supervision/reports/", {"kind": "summary", "year": "2027", "content": "保留的文字"})
    assert r.status_code == 200 and "保留的文字" in r.content.decode() and "只能报送" in r.content.decode()
    r = client.post("/supervision/reports/", {"kind": "plan", "year": "2026", "content": "2026 年工作计划",
                                              "attachments": SimpleUploadedFile("计划.pdf", PDF)})
    assert r.status_code == 302
    report = AnnualReport.objects.get()
    assert report.attachments.count() == 1
    detail = f"/supervision/reports/{report.public_id}/"
    assert "2026 年工作计划" in client.get(detail).content.decode()
    stored = report.attachments.get()
    assert login(bz_official).get(f"{detail}files/{stored.public_id}/").status_code == 200
    other = _staff(filed(bazhong, registered_at=OLD), "other")
    assert login(other).get(detail).status_code == 404


def test_api_submit_and_overview(bazhong, bz_official, wh_official) -> None:
    inst = filed(bazhong, registered_at=OLD)
    r = login(_staff(inst)).post("/api/v1/supervision/annual-reports",
                                 {"kind": "plan", "year": 2026, "content": "计划"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["late"] is True
    rows = login(bz_official).get("/api/v1/supervision/annual-reports?year=2026").json()
    assert {(row["kind"], row["status"]) for row in rows} == {("plan", "逾期报送"), ("summary", "待报送")}
    assert login(wh_official).get(f"/api/v1/supervision/annual-reports/{r.json()['id']}").status_code == 404
    r = login(bz_official).post("/api/v1/supervision/annual-reports", {"kind": "plan", "year": 2026,
                                                                       "content": "x"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert login(bz_official).get("/api/v1/supervision/annual-reports?year=99999").status_code == 422


def test_clock_decides_overdue_on_dashboard(bazhong, bz_official) -> None:
    inst = filed(bazhong, registered_at=OLD, name="总结未交机构")
    reports.annual_report_submit(actor=_staff(inst), kind="plan", year=2026, content="计划", at=NOW)
    with clock.frozen(NOW.replace(year=2027, month=2, day=1)):
        board = login(bz_official).get("/supervision/").content.decode()
    assert "总结未交机构" in board and "年度工作总结" in board
