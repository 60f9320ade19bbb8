"""Builders for the lifecycle tests (a filed institution through the real services), and the
permission boundary of the lifecycle pages and API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.tests.builders import gs_form, official, sc_form

pytestmark = pytest.mark.django_db

_serial = iter(range(100, 100_000))


@dataclass
class Filed:
    institution: Institution
    user: User
    clerk: User
    approver: User
    application: Application

    def refresh(self) -> Institution:
        self.institution.refresh_from_db()
        return self.institution


def pdf(name: str = "证明材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf(), content_type="application/pdf")


def staff_of(authority: Authority) -> tuple[User, User]:
    """A filing official and an approving official of ``authority`` (created once)."""
    clerk = (User.objects.filter(authority=authority, role=Role.FILING_OFFICIAL).first()
             or official(Role.FILING_OFFICIAL, authority, f"clerk-{authority.pk}"))
    approver = (User.objects.filter(authority=authority, role=Role.APPROVING_OFFICIAL).first()
                or official(Role.APPROVING_OFFICIAL, authority, f"approver-{authority.pk}"))
    return clerk, approver


def file_institution(authority: Authority, pack_id: str, *, name: str, region: str,
                     form: Callable[[Institution], dict[str, Any]] = gs_form, kind: str = "social_body",
                     at: dt.datetime | None = None, material: bool = False) -> Filed:
    """Register, apply, accept, evaluate and file an institution through the real services."""
    at = at or clock.now()
    serial = next(_serial)
    org = InstitutionFactory(name=name, authority=authority, region_code=region, body_kind=kind, pack_id=pack_id,
                             credit_code=make_credit_code(region[:4] + "00", serial))
    user = User.objects.create(username=f"inst-{serial}", role=Role.INSTITUTION_USER, institution=org)
    app = svc.application_create(actor=user, institution=org, form=form(org), at=at)
    if material:
        svc.application_attach_material(actor=user, application=app, key="other", upload=pdf("备案表.pdf"),
                                        at=at)
    app = svc.application_submit(actor=user, application=app, at=at)
    clerk, approver = staff_of(app.authority)
    svc.application_accept(actor=clerk, application=app, at=at)
    decisions.application_start_evaluation(actor=clerk, application=app, at=at)
    decisions.application_conclude_evaluation(actor=clerk, application=app, passed=True, summary="合格", at=at)
    decisions.application_file(actor=approver, application=app, at=at)
    app.refresh_from_db()
    org.refresh_from_db()
    return Filed(org, user, clerk, approver, app)


def bz_filed(bazhong: Authority, name: str = "巴中市某专项考核中心", **kw: Any) -> Filed:
    """bz-2023-special: 3-year validity (002 第十条); filed 2026-11-20 → valid through 2029-11-19."""
    return file_institution(bazhong, "bz-2023-special", name=name, region="511902", **kw)


def sc_filed(bazhong: Authority, name: str = "巴中市第二技工学校", **kw: Any) -> Filed:
    return file_institution(bazhong, "sc-2021-appraisal", name=name, region="511902", form=sc_form,
                            kind="technical_school", **kw)


# --- the permission boundary --------------------------------------------------------------


def test_another_citys_official_gets_404_on_the_institution_and_change_pages(
        bazhong: Authority, chengdu: Authority) -> None:
    from skillreg.registry.services import lifecycle

    filed = sc_filed(bazhong)
    change = lifecycle.change_report(actor=filed.user, institution=filed.institution, kind="identity",
                                     changes={"head_name": "李新"}, change_date=clock.today(), upload=pdf(),
                                     at=clock.now())
    outsider = login(official(Role.FILING_OFFICIAL, chengdu, "cd-official"))
    assert outsider.get(f"/lifecycle/institutions/{filed.institution.public_id}/").status_code == 404
    assert outsider.get(f"/lifecycle/changes/{change.public_id}/").status_code == 404
    assert outsider.get(f"/api/v1/lifecycle/changes/{change.public_id}").status_code == 404
    assert outsider.post(f"/api/v1/lifecycle/changes/{change.public_id}/approve", {},
                         content_type="application/json").status_code == 404
    # The institution's own city sees both.
    assert login(filed.clerk).get(f"/lifecycle/changes/{change.public_id}/").status_code == 200
    assert login(filed.user).get(f"/lifecycle/institutions/{filed.institution.public_id}/").status_code == 200


def test_anonymous_is_sent_to_login_and_the_api_answers_401(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    response = Client().get(f"/lifecycle/institutions/{filed.institution.public_id}/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get("/lifecycle/").status_code == 302
    assert Client().get("/api/v1/lifecycle/expiring").status_code == 401
    assert Client().get("/api/v1/lifecycle/changes").status_code == 401


def test_the_index_lists_what_the_authority_has_to_do(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    page = login(filed.clerk).get("/lifecycle/")
    assert page.status_code == 200
    assert "有效期即将届满" in page.content.decode()
    # An institution user is taken to its own institution's page.
    response = login(filed.user).get("/lifecycle/")
    assert response.status_code == 302
    assert str(filed.institution.public_id) in response["Location"]
