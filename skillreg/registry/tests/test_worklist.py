"""The officials' worklist: overdue first, filters kept across pages, a constant number of
queries, and the bulk actions (issue 10: “a worklist per official with clocks … filters, bulk
actions where they make sense, pagination”)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit.models import AuditEvent
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution, SupplementNotice
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form

pytestmark = pytest.mark.django_db
S = Application.Status
TODAY = dt.date(2026, 11, 20)  # the frozen clock (skillreg/conftest.py)


def _many(authority: Authority, n: int, official: User, start: int = 0) -> list[Application]:
    """``n`` applications in the running states, a third of them overdue, without the services
    (the worklist only reads them)."""
    orgs = Institution.objects.bulk_create(
        InstitutionFactory.build(name=f"巴中市第{start + i}职业技能评价中心", authority=authority,
                                 region_code="511902", credit_code=make_credit_code("511902", 5000 + start + i))
        for i in range(n))
    now = clock.now()
    apps = []
    for i, org in enumerate(orgs):
        status = (S.SUBMITTED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED)[i % 3]
        due = TODAY + dt.timedelta(days=(-3 if i % 3 == 0 else 6))
        apps.append(Application(institution=org, pack_id="bz-2023-special", status=status, authority=authority,
                                region_code=org.region_code, created_at=now, submitted_at=now - dt.timedelta(hours=i),
                                material_check_due=due, completion_due=due))
    apps = Application.objects.bulk_create(apps)
    SupplementNotice.objects.bulk_create(
        SupplementNotice(application=a, items=[{"text": "补充场地证明"}], issued_at=now, issued_by=official,
                         due=TODAY + dt.timedelta(days=4), source="002 第十条")
        for a in apps if a.status == S.SUPPLEMENT_REQUESTED)
    return apps


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_worklist_costs_the_same_number_of_queries_for_10_and_200_applications(
        bazhong: Authority, bz_official: User) -> None:
    client = login(bz_official)
    _many(bazhong, 10, bz_official)
    client.get("/applications/")  # warm the per-process caches (packs, calendar) first
    small = _queries(client, "/applications/")
    _many(bazhong, 190, bz_official, start=10)
    large = _queries(client, "/applications/")
    assert small == large
    assert _queries(client, "/applications/?page=3&status=open") == large


def test_overdue_applications_come_first_and_filters_ride_along_in_the_page_links(
        bazhong: Authority, bz_official: User) -> None:
    _many(bazhong, 45, bz_official)
    client = login(bz_official)
    page = client.get("/applications/").content.decode()
    rows = re.findall(r"<tr( class=\"row-overdue\")?>\s*<td class=\"select\">", page)
    assert len(rows) == 20
    # 15 of the 45 are overdue: all on the first page, before the others.
    assert [bool(r) for r in rows] == [True] * 15 + [False] * 5
    assert "已逾期" in page
    page = client.get("/applications/?status=open&q=巴中&overdue=1").content.decode()
    assert "共 15 件" in page
    page = client.get("/applications/?status=open&q=巴中&sort=submitted").content.decode()
    assert 'href="?status=open&amp;q=%E5%B7%B4%E4%B8%AD&amp;sort=submitted&amp;page=2"' in page
    page2 = client.get("/applications/?status=open&q=巴中&sort=submitted&page=2").content.decode()
    assert "第 2 / 3 页" in page2 and 'value="submitted" selected' in page2


@pytest.fixture
def submitted(bazhong: Authority) -> list[Application]:
    """Three applications submitted through the services to 巴中市 (bz-2023-special)."""
    apps = []
    for n in range(3):
        org = InstitutionFactory.create(name=f"巴中市第{n}家政服务培训中心", authority=bazhong, region_code="511902",
                                        credit_code=make_credit_code("511902", 600 + n))
        applicant = make_user(Role.INSTITUTION_USER, None, username=f"applicant{n}", institution=org)
        app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
        svc.application_attach_material(actor=applicant, application=app, key="application-form",
                                        upload=SimpleUploadedFile("申报表.pdf", samples.pdf()), at=clock.now())
        apps.append(svc.application_submit(actor=applicant, application=app, at=clock.now()))
    return apps


def test_bulk_accept_goes_through_the_service_one_audit_event_each_and_reports_each_result(
        submitted: list[Application], bz_official: User, wh_official: User) -> None:
    first, second, third = submitted
    svc.application_accept(actor=bz_official, application=third, at=clock.now())  # someone was quicker
    before = AuditEvent.objects.filter(action="application.accepted").count()
    client = login(bz_official)
    response = client.post("/applications/", {
        "bulk": "accept", "selected": [str(a.public_id) for a in submitted], "back": "status=open"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "成功 2 件" in page and "未办理 1 件" in page
    assert "不能受理（可能已由他人办理，请刷新页面）" in page
    assert 'href="/applications/?status=open"' in page
    for app in (first, second):
        app.refresh_from_db()
        assert app.status == S.ACCEPTED and app.handled_by == bz_official
    assert AuditEvent.objects.filter(action="application.accepted").count() == before + 2
    assert {e.object_id for e in AuditEvent.objects.filter(action="application.accepted").order_by("-seq")[:2]} \
        == {str(first.public_id), str(second.public_id)}


def test_bulk_accept_ignores_what_the_official_may_not_see_and_is_for_filing_officials_only(
        submitted: list[Application], wh_official: User, bazhong: Authority) -> None:
    response = login(wh_official).post("/applications/", {
        "bulk": "accept", "selected": [str(a.public_id) for a in submitted]}, follow=True)
    assert "请先勾选要批量办理的申请" in response.content.decode()
    approver = make_user(Role.APPROVING_OFFICIAL, bazhong, username="approver")
    response = login(approver).post("/applications/", {
        "bulk": "accept", "selected": [str(submitted[0].public_id)]}, follow=True)
    assert "不支持的批量操作" in response.content.decode()
    assert Application.objects.filter(status=S.SUBMITTED).count() == 3


def test_bulk_export_of_the_ticked_applications_as_csv_and_xlsx(
        submitted: list[Application], bz_official: User) -> None:
    client = login(bz_official)
    ids = [str(a.public_id) for a in submitted[:2]]
    response = client.post("/applications/", {"bulk": "export-csv", "selected": ids})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["申请单位", "申请类别", "适用政策"]
    assert sorted(r[0] for r in rows[1:]) == sorted(a.institution.name for a in submitted[:2])
    assert rows[1][2] == "巴中市专项职业能力考核机构管理办法（试行）"  # the policy's title, not its id
    assert rows[1][5].startswith("材料核查：")  # the running clock, as on the page
    response = client.post("/applications/", {"bulk": "export-xlsx", "selected": ids})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3 and sheet["E2"].value == "已提交，待核查材料"
    applicant = User.objects.get(username="applicant0")
    assert login(applicant).post("/applications/", {"bulk": "export-csv", "selected": ids[:1]}).status_code == 404


def test_an_institution_name_that_looks_like_a_formula_is_exported_as_text(
        submitted: list[Application], bz_official: User) -> None:
    """Names are typed by applicants: a spreadsheet must show them, never run them."""
    institution = submitted[0].institution
    institution.name = '=HYPERLINK("http://example.invalid","巴中")'
    institution.save(update_fields=["name"])
    response = login(bz_official).post("/applications/", {"bulk": "export-csv",
                                                          "selected": [str(submitted[0].public_id)]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + institution.name
