"""The officials' dashboard: charts drawn by the application (inline SVG), figures scoped to the
jurisdiction (issue 10: “charts on the dashboards: counts by status, by region, by month;
overdue; grades”), and the favicon."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application
from skillreg.supervision.models import Evaluation
from skillreg.web.charts import hbar_chart

pytestmark = pytest.mark.django_db
S = Application.Status


def _app(authority: Authority, region: str, status: str, serial: int, *, submitted: dt.datetime,
         due: dt.date | None = None) -> Application:
    org = InstitutionFactory.create(authority=authority, region_code=region,
                                    credit_code=make_credit_code(region, serial))
    return Application.objects.create(institution=org, pack_id="bz-2023-special", status=status,
                                      authority=authority, region_code=region, created_at=submitted,
                                      submitted_at=submitted, material_check_due=due, completion_due=due)


def _bar(svg: str, label: str) -> str:
    match = re.search(rf"<title>{label}：(\d+)</title>", svg)
    assert match, f"no bar for {label}"
    return match.group(1)


def test_the_dashboard_draws_status_region_month_overdue_and_grade_charts(
        bazhong: Authority, wuhai: Authority, bz_official: User) -> None:
    now = clock.now()
    _app(bazhong, "511902", S.SUBMITTED, 1, submitted=now, due=dt.date(2026, 11, 17))  # overdue
    _app(bazhong, "511902", S.ACCEPTED, 2, submitted=now - dt.timedelta(days=40), due=dt.date(2026, 12, 10))
    _app(bazhong, "511921", S.FILED, 3, submitted=now - dt.timedelta(days=70))
    _app(wuhai, "150302", S.SUBMITTED, 4, submitted=now, due=dt.date(2026, 11, 1))  # another region's
    graded = InstitutionFactory.create(authority=bazhong, region_code="511902",
                                       credit_code=make_credit_code("511902", 9))
    for grade, days in (("不合格", 400), ("良好", 10)):  # only the latest grade counts
        Evaluation.objects.create(institution=graded, kind="periodic", proposed_grade=grade, grade=grade,
                                  source="002 第二十条", evaluated_by=bz_official,
                                  evaluated_at=now - dt.timedelta(days=days))
    response = login(bz_official).get("/dashboard/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 5 and "<script" not in page.split("<main>")[1]
    assert _bar(page, "已提交，待核查材料") == "1" and _bar(page, "已备案") == "1"
    # A city official sees its districts and counties, and nothing outside the jurisdiction.
    assert _bar(page, "巴州区") == "2" and _bar(page, "通江县") == "1" and "乌海" not in page
    assert _bar(page, "11月") == "1" and _bar(page, "10月") == "1" and _bar(page, "9月") == "1"
    assert _bar(page, "材料核查") == "1" and _bar(page, "办结") == "0"
    assert _bar(page, "良好") == "1" and _bar(page, "不合格") == "0"
    assert 'href="/applications/?overdue=1"' in page and 'href="/applications/?city=511921"' in page
    # The worklist link filters to that county.
    listed = login(bz_official).get("/applications/?city=511921").content.decode()
    assert "已备案" in listed and "已提交，待核查材料" not in listed.split("<tbody>")[1]


def test_a_province_official_sees_the_figures_by_city(sichuan: Authority, bazhong: Authority,
                                                      chengdu: Authority) -> None:
    now = clock.now()
    _app(bazhong, "511902", S.SUBMITTED, 1, submitted=now)
    _app(bazhong, "511921", S.FILED, 2, submitted=now)
    _app(chengdu, "510104", S.SUBMITTED, 3, submitted=now)
    page = login(make_user(Role.FILING_OFFICIAL, sichuan)).get("/dashboard/").content.decode()
    assert _bar(page, "巴中市") == "2" and _bar(page, "成都市") == "1"
    assert 'href="/applications/?city=5119"' in page


def test_the_dashboard_is_for_officials(bazhong: Authority) -> None:
    org = InstitutionFactory.create(authority=bazhong)
    applicant = make_user(Role.INSTITUTION_USER, None, username="applicant", institution=org)
    assert login(applicant).get("/dashboard/").status_code == 404
    assert Client().get("/dashboard/").status_code == 302


def test_chart_labels_are_escaped_and_an_empty_chart_says_so() -> None:
    svg = hbar_chart([("<b>甲</b>", 3)], title="t&t")
    assert "<b>" not in svg and "&lt;b&gt;甲" in svg and 'aria-label="t&amp;t"' in svg
    assert "暂无数据" in hbar_chart([], title="空")


def test_the_favicon_is_linked_and_served(db: None) -> None:
    page = Client().get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/web/favicon\.svg"', page)
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("/static/web/favicon.ico")
