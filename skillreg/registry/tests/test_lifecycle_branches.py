"""003 三(五): a branch or region-level body reports to a city before it works there;
``may_work_in`` is what the exams app asks before accepting an exam plan."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.accounts.factories import AuthorityFactory
from skillreg.accounts.models import Authority
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.registry.models import BranchReport
from skillreg.registry.services import lifecycle as svc
from skillreg.registry.tests.builders import sc_form
from skillreg.registry.tests.test_lifecycle_common import Filed, bz_filed, file_institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def hohhot(wuhai: Authority) -> Authority:
    return AuthorityFactory(name="呼和浩特市人力资源和社会保障局", region_code="150100", region_name="呼和浩特市",
                            parent=wuhai.parent)


def nm_filed(wuhai: Authority) -> Filed:
    return file_institution(wuhai, "nm-2021-skill-level", name="乌海市某能源集团", region="150302", form=sc_form,
                            kind="enterprise")


def test_003_三_五_without_a_report_the_institution_may_not_work_in_another_city(
        wuhai: Authority, hohhot: Authority) -> None:
    filed = nm_filed(wuhai)
    assert svc.may_work_in(filed.institution, "150302")  # its own city
    assert svc.may_work_in(filed.institution, "150303")
    # Branch not reported → an exam plan in 呼和浩特 is refused (the exams app asks this).
    assert not svc.may_work_in(filed.institution, "150102")


def test_003_三_五_a_report_made_before_the_work_allows_it(wuhai: Authority, hohhot: Authority) -> None:
    filed = nm_filed(wuhai)
    starts = dt.date(2026, 12, 1)
    report = svc.branch_report_make(actor=filed.user, institution=filed.institution, region_code="150102",
                                    starts_on=starts, branch_name="呼和浩特分公司", at=clock.now())
    assert report.authority == hohhot and report.region_code == "150100" and report.source == "003 三(五)"
    assert svc.may_work_in(filed.institution, "150102")
    assert svc.may_work_in(filed.institution, "150105", on=starts)
    assert not svc.may_work_in(filed.institution, "150105", on=starts - dt.timedelta(days=1))  # not begun yet
    # The city's officials see the report; the institution cannot report twice.
    assert svc.branch_reports_visible_to(login_user(hohhot)).filter(pk=report.pk).exists()
    with pytest.raises(DomainError, match="已向"):
        svc.branch_report_make(actor=filed.user, institution=filed.institution, region_code="150103",
                               starts_on=starts, at=clock.now())
    svc.branch_report_withdraw(actor=filed.user, report=report, at=clock.now())
    assert not svc.may_work_in(filed.institution, "150102")


def login_user(authority: Authority):  # type: ignore[no-untyped-def]
    from skillreg.registry.tests.test_lifecycle_common import staff_of

    return staff_of(authority)[0]


def test_003_三_五_the_report_comes_before_the_work_not_after(wuhai: Authority, hohhot: Authority) -> None:
    filed = nm_filed(wuhai)
    with pytest.raises(InvalidInput, match="开展工作前报备"):
        svc.branch_report_make(actor=filed.user, institution=filed.institution, region_code="150102",
                               starts_on=clock.today() - dt.timedelta(days=1), at=clock.now())
    with pytest.raises(InvalidInput, match="无需报备"):
        svc.branch_report_make(actor=filed.user, institution=filed.institution, region_code="150303",
                               starts_on=clock.today(), at=clock.now())
    assert not BranchReport.objects.exists()


def test_a_city_filed_body_without_branch_rules_works_in_its_city_only(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    assert svc.may_work_in(filed.institution, "511921")
    assert not svc.may_work_in(filed.institution, "510104")


def test_the_api_answers_may_work_in_and_takes_reports(wuhai: Authority, hohhot: Authority) -> None:
    filed = nm_filed(wuhai)
    client = login(filed.user)
    base = f"/api/v1/lifecycle/institutions/{filed.institution.public_id}"
    assert client.get(f"{base}/may-work-in", {"region_code": "150102"}).json()["allowed"] is False
    response = client.post(f"{base}/branch-reports", {"region_code": "150102", "starts_on": "2026-11-25"})
    assert response.status_code == 201, response.content
    assert client.get(f"{base}/may-work-in", {"region_code": "150102"}).json()["allowed"] is True
