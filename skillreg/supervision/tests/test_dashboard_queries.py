"""The supervision dashboard lists the filing clocks running against the authority: overdue
first, and in a number of queries that does not grow with the applications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority, User
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application
from skillreg.supervision.selectors import open_filing_clocks

pytestmark = pytest.mark.django_db


def _submitted(authority: Authority, serial: int, due: dt.date) -> Application:
    org = InstitutionFactory.create(authority=authority, region_code="511902",
                                    credit_code=make_credit_code("511902", serial))
    return Application.objects.create(institution=org, pack_id="bz-2023-special", status=Application.Status.SUBMITTED,
                                      authority=authority, region_code="511902", created_at=clock.now(),
                                      submitted_at=clock.now(), material_check_due=due)


def _queries(user: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert login(user).get("/supervision/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_clocks_cost_the_same_queries_for_3_and_30_applications(
        bazhong: Authority, bz_official: User) -> None:
    for n in range(3):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    few = _queries(bz_official)
    for n in range(3, 30):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    assert _queries(bz_official) == few


def test_an_overdue_clock_is_listed_even_behind_many_older_applications(bazhong: Authority, bz_official: User) -> None:
    for n in range(5):
        _submitted(bazhong, n + 1, dt.date(2026, 12, 10))
    late = _submitted(bazhong, 99, dt.date(2026, 11, 17))  # the newest, and overdue
    rows = open_filing_clocks(bz_official, clock.today(), limit=3)
    assert rows[0][0] == late and rows[0][1].overdue
