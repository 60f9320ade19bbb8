"""003 六: 各盟市每年年底将本地区技能等级开展情况总结上报 — the city's year-end summary as XLSX,
generated from the records and checked here cell by cell against them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from skillreg.accounts.models import Authority, Role
from skillreg.certificates.models import Certificate
from skillreg.conftest import NOW, login, make_user
from skillreg.exams.models import Candidate, ExamPlan, Registration, Venue
from skillreg.registry.models import InstitutionScope
from skillreg.supervision.models import Inspection, InspectionPlan
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services import complaints, violations
from skillreg.supervision.tests.conftest import filed

D = dt.date
OLD = NOW - dt.timedelta(days=700)


def _plan(inst, user, start: dt.date, status: str) -> ExamPlan:  # type: ignore[no-untyped-def]
    scope = InstitutionScope.objects.create(institution=inst, name="中式烹调师", level=4)
    venue = Venue.objects.create(institution=inst, kind=Venue.Kind.FILED, name="考点", address="乌海市",
                                 region_code=inst.region_code, status=Venue.Status.APPROVED, applied_at=NOW,
                                 applied_by=user)
    return ExamPlan.objects.create(
        institution=inst, scope=scope, scope_name=scope.name, level=4, venue=venue, region_code=inst.region_code,
        pack_id=inst.pack_id, title="中式烹调师四级", registration_opens=start - dt.timedelta(days=30),
        registration_closes=start - dt.timedelta(days=10), exam_start=start, exam_end=start, fee=Decimal("100"),
        status=status, created_at=NOW, created_by=user)


def _register(plan: ExamPlan, user, n: int, *, absent: bool = False, passed: bool | None = None) -> None:  # type: ignore[no-untyped-def]
    candidate = Candidate.objects.create(id_number=f"15030219900101{n:03d}X"[-18:], name=f"考生{n}", gender="男",
                                         birth_date=D(1990, 1, 1), created_at=NOW)
    Registration.objects.create(plan=plan, candidate=candidate, name=candidate.name, education="高中",
                                entered_at=NOW, entered_by=user, absent=absent, passed=passed)


def _certificate(inst, user, n: int, issued: dt.date, *, revoked: bool = False) -> None:  # type: ignore[no-untyped-def]
    Certificate.objects.create(
        number=f"TEST{n:06d}", kind="skill_level", institution=inst, issuer_name=inst.name,
        region_code=inst.region_code, pack_id=inst.pack_id, holder_name=f"持证人{n}", id_number="150302199001011234",
        occupation="中式烹调师", level=4, issued_on=issued,
        issued_at=dt.datetime.combine(issued, dt.time(10), tzinfo=NOW.tzinfo), issued_by=user, serial=n,
        sequence_scope="t", status=Certificate.Status.REVOKED if revoked else Certificate.Status.VALID,
        revoked_at=NOW if revoked else None, revoked_by=user if revoked else None,
        revoke_reason="弄虚作假" if revoked else "")


def _data(wuhai, wh_official, bazhong):  # type: ignore[no-untyped-def]
    busy = filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD, name="乌海市甲评价机构")
    idle = filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD, name="=乙评价机构")
    filed(bazhong, registered_at=OLD, name="巴中机构")  # another city: not in the report
    staff = make_user(Role.INSTITUTION_USER, None, institution=busy, username="busy-staff")
    held = _plan(busy, staff, D(2026, 5, 10), ExamPlan.Status.RESULTS_APPROVED)
    _register(held, staff, 1, passed=True)
    _register(held, staff, 2, passed=True)
    _register(held, staff, 3, absent=True, passed=False)
    _plan(busy, staff, D(2026, 9, 10), ExamPlan.Status.APPROVED)
    cancelled = _plan(busy, staff, D(2026, 10, 10), ExamPlan.Status.CANCELLED)
    _register(cancelled, staff, 4)
    _plan(busy, staff, D(2025, 6, 1), ExamPlan.Status.RESULTS_APPROVED)  # another year
    _certificate(busy, wh_official, 1, D(2026, 6, 1))
    _certificate(busy, wh_official, 2, D(2026, 6, 1), revoked=True)
    _certificate(busy, wh_official, 3, D(2025, 12, 30))
    plan = InspectionPlan.objects.create(authority=wuhai, title="抽查", year=2026, draw_count=1,
                                         created_by=wh_official, created_at=NOW)
    Inspection.objects.create(plan=plan, institution=busy, rank=1, result=Inspection.Result.ISSUES)
    violations.violation_record(actor=wh_official, institution=busy, catalogue_key="sanction-ladder",
                                item_key="poor-management", facts="档案缺失", found_via=FoundVia.REPORT, at=NOW)
    for _ in range(2):
        complaints.complaint_submit(institution_code=busy.code, subject="s", content="c", at=NOW)
    return busy, idle


def _sheets(content: bytes):  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(content))
    return book["汇总"], book["分机构"]


def test_city_year_end_summary_counts_what_the_records_say_003_6(wuhai, wh_official, bazhong) -> None:
    busy, _idle = _data(wuhai, wh_official, bazhong)
    r = login(wh_official).get("/supervision/reports/year-end.xlsx?city=150300&year=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    summary, detail = _sheets(r.content)
    header = [c.value for c in detail[1]]
    assert header[:6] == ["序号", "机构名称", "机构代码", "所在地区划代码", "适用政策包", "当前状态"]
    rows = {(row[1] or row[0]): dict(zip(header, row, strict=True))
            for row in detail.iter_rows(min_row=2, values_only=True)}
    assert "巴中机构" not in rows and "'=乙评价机构" in rows  # formula injection neutralised
    got = rows[busy.name]
    assert (got["考核场次"], got["报名人数"], got["实际参加考核人数"], got["考核合格人数"]) == (2, 3, 2, 2)
    assert (got["发放证书数"], got["其中已撤销证书"]) == (2, 1)
    assert (got["抽查检查次数"], got["检查发现问题次数"], got["违规记录数"], got["投诉举报件数"]) == (1, 1, 1, 2)
    assert all(v == 0 for k, v in rows["'=乙评价机构"].items() if k in ("考核场次", "发放证书数", "投诉举报件数"))
    assert rows["合计"]["考核场次"] == 2 and rows["合计"]["投诉举报件数"] == 2
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert facts["机构数"] == 2 and facts["考核场次"] == 2 and facts["发放证书数"] == 2
    assert facts["依据"].startswith("003 六") and "乌海市" in summary["A1"].value


def test_scoped_to_city_and_province_officials_003_6(wuhai, wh_official, bz_official) -> None:
    body = filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD)
    url = "/supervision/reports/year-end.xlsx?city=150300&year=2026"
    province = make_user(Role.FILING_OFFICIAL, Authority.objects.get(region_code="150000"), username="nm-prov")
    assert login(province).get(url).status_code == 200
    assert login(bz_official).get(url).status_code == 404
    staff = make_user(Role.INSTITUTION_USER, None, institution=body, username="x-staff")  # a body of the city
    assert login(staff).get(url).status_code == 404
    api = "/api/v1/supervision/year-end-summary?city=150300&year=2026"
    assert login(wh_official).get(api).status_code == 200
    assert login(bz_official).get(api).status_code == 404
    assert login(wh_official).get("/api/v1/supervision/year-end-summary?city=150300&year=2099").status_code == 422
    page = login(wh_official).get("/supervision/reports/").content.decode()
    assert "003 六" in page and 'value="150300"' in page
