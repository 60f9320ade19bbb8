"""The supervision dashboard lists the filing clocks running against the authority: the most
urgent ones (overdue first) with how many run and are overdue in all and a link to the full list
in the worklist, in a number of queries that does not grow with the applications (issue 8, figure 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution
from skillreg.supervision import selectors
from skillreg.supervision.selectors import open_filing_clocks

pytestmark = pytest.mark.django_db


def _submitted(authority: Authority, serial: int, due: dt.date, status: str = Application.Status.SUBMITTED,
               name: str | None = None) -> Application:
    org = InstitutionFactory.create(authority=authority, region_code="511902",
                                    credit_code=make_credit_code("511902", serial),
                                    **({"name": name} if name else {}))
    return Application.objects.create(institution=org, pack_id="bz-2023-special", status=status,
                                      authority=authority, region_code="511902", created_at=clock.now(),
                                      submitted_at=clock.now(), material_check_due=due, completion_due=due)


def _queries(user: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert login(user).get("/supervision/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_clocks_cost_the_same_queries_for_3_and_30_applications(
        bazhong: Authority, bz_official: User) -> None:
    for n in range(3):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    # One body that owes annual reports (with none, their query is skipped, not made per body).
    InstitutionFactory.create(authority=bazhong, region_code="511902", pack_id="bz-2023-special",
                              status=Institution.Status.FILED)
    few = _queries(bz_official)
    for n in range(3, 30):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    # More than the dashboard shows, some overdue, and filed bodies that owe annual reports.
    for n in range(30, 45):
        _submitted(bazhong, n + 1, dt.date(2026, 11, 2), status=Application.Status.ACCEPTED)
    InstitutionFactory.create_batch(5, authority=bazhong, region_code="511902", pack_id="bz-2023-special",
                                    status=Institution.Status.FILED)
    assert _queries(bz_official) == few


def test_an_overdue_clock_is_listed_even_behind_many_older_applications(bazhong: Authority, bz_official: User) -> None:
    for n in range(5):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    late = _submitted(bazhong, 99, dt.date(2026, 11, 17))  # the newest, and overdue
    rows = open_filing_clocks(bz_official, clock.today(), limit=3)
    assert rows[0][0] == late and rows[0][1].overdue


def test_the_dashboard_shows_the_most_urgent_clocks_the_counts_and_links_to_the_full_list(
        bazhong: Authority, bz_official: User, wh_official: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "DASHBOARD_CLOCK_ROWS", 5)
    monkeypatch.setattr(selectors, "OVERDUE_CLOCKS_LISTED", 3)
    for n in range(4):  # running, not yet due
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10), name=f"巴中市按期{n}号评价中心")
    for n in range(4):  # 办结 overdue, most overdue first
        _submitted(bazhong, n + 11, dt.date(2026, 11, 10 + n), status=Application.Status.ACCEPTED,
                   name=f"巴中市逾期{n}号评价中心")
    # Waiting for the applicant's 补正: its clock does not run against the authority.
    _submitted(bazhong, 21, dt.date(2026, 11, 2), status=Application.Status.SUPPLEMENT_REQUESTED,
               name="巴中市补正中评价中心")
    page = login(bz_official).get("/supervision/").content.decode()
    assert "备案办理时限（进行中 8）" in page
    assert "按紧迫程度显示前 5 件，共 8 件办理中，其中逾期 4 件" in page
    table = page[page.index("备案办理时限（进行中"):]
    table = table[:table.index("</table>")]
    shown = [f"巴中市逾期{n}号评价中心" for n in range(4)] + ["巴中市按期"]
    positions = [table.index(name) for name in shown]
    assert positions == sorted(positions)  # overdue first, the most overdue at the top; then the rest
    assert table.count("巴中市按期") == 1 and "补正中" not in table
    # 逾期事项: the first three by name, and a link to all four.
    overdue = page[page.index("<h2>逾期事项"):page.index("备案办理时限（进行中")]
    assert all(f"巴中市逾期{n}号评价中心" in overdue for n in range(3)) and "巴中市逾期3号" not in overdue
    assert "另有 1 件" in overdue and 'href="/applications/?status=authority&amp;overdue=1"' in overdue
    assert 'href="/applications/?status=authority"' in page
    # The links lead to the full lists, with the counts the dashboard gave.
    client = login(bz_official)
    full = client.get("/applications/?status=authority").content.decode()
    assert "共 8 件" in full and "补正中" not in full and 'value="authority" selected' in full
    assert all(f"巴中市逾期{n}号评价中心" in full for n in range(4))
    assert "共 4 件" in client.get("/applications/?status=authority&overdue=1").content.decode()
    # Another city's official sees none of it.
    other = login(wh_official).get("/supervision/").content.decode()
    assert "备案办理时限（进行中 0）" in other and "评价中心" not in other


def test_the_province_sees_the_clocks_of_its_cities(bazhong: Authority, sichuan: Authority) -> None:
    _submitted(bazhong, 1, dt.date(2026, 11, 2), name="巴中市逾期评价中心")
    province = make_user(Role.FILING_OFFICIAL, sichuan, username="sc-official")
    page = login(province).get("/supervision/").content.decode()
    assert "备案办理时限（进行中 1）" in page and "巴中市逾期评价中心" in page and "其中逾期 1 件" in page


def test_the_overview_of_two_years_in_one_pass_puts_each_report_in_its_year(bazhong: Authority,
                                                                             bz_official: User) -> None:
    from skillreg.supervision.services.reports import annual_report_submit
    from skillreg.supervision.tests.conftest import filed

    old = clock.now() - dt.timedelta(days=500)  # filed in 2025: owes 2025's summary, 2026's plan and summary
    a, b, c = (filed(bazhong, registered_at=old, name=f"巴中市年报{n}号评价中心") for n in range(3))
    staff = {i: make_user(Role.INSTITUTION_USER, None, institution=i, username=f"staff-{i.pk}") for i in (a, b)}
    summary_2025 = annual_report_submit(actor=staff[a], kind="summary", year=2025, content="总结", at=clock.now())
    plan_2026 = annual_report_submit(actor=staff[b], kind="plan", year=2026, content="计划", at=clock.now())

    def reports(overview) -> dict[tuple[str, str], int | None]:  # type: ignore[no-untyped-def]
        return {(body.name, state.kind): state.report.pk if state.report else None
                for body, states in overview for state in states}

    for only_shown in (False, True):  # the dashboard's narrow read must say the same
        both = selectors.annual_report_overviews(bz_official, (2025, 2026), only_shown=only_shown)
        in_2025, in_2026 = reports(both[2025]), reports(both[2026])
        assert in_2025[(a.name, "summary")] == summary_2025.pk
        assert in_2026[(b.name, "plan")] == plan_2026.pk
        assert [k for k, v in in_2025.items() if v] == [(a.name, "summary")]
        assert [k for k, v in in_2026.items() if v] == [(b.name, "plan")]
        assert {name for name, _ in in_2026} == {a.name, b.name, c.name}
    assert reports(selectors.annual_report_overview(bz_official, 2026)) == reports(
        selectors.annual_report_overviews(bz_official, (2025, 2026))[2026])


def test_the_dashboard_lists_the_first_missing_reports_and_links_to_each_years_overview(
        bazhong: Authority, bz_official: User) -> None:
    from skillreg.supervision.tests.conftest import filed

    old = clock.now() - dt.timedelta(days=500)  # filed in 2025: owes the 2025 summary and the 2026 plan
    for n in range(6):
        filed(bazhong, registered_at=old, name=f"巴中市未报送{n}号评价中心")
    client = login(bz_official)
    board = client.get("/supervision/").content.decode()
    overdue = board[board.index("<h2>逾期事项"):board.index("备案办理时限（进行中")]
    assert overdue.count("尚未报送") == selectors.OVERDUE_REPORTS_LISTED
    assert "年度计划、总结共 12 项逾期未报送，以上为前 10 项" in overdue
    assert '<a href="/supervision/reports/?year=2025">2025 年 6 项</a>' in overdue
    assert '<a href="/supervision/reports/?year=2026">2026 年 6 项</a>' in overdue
    for year in (2025, 2026):  # the link's page counts the same
        page = client.get(f"/supervision/reports/?year={year}").content.decode()
        assert '逾期未报送 <strong class="overdue">6</strong> 项' in page
