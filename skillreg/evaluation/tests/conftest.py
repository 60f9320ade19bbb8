"""Gansu (gs-2022-special) and Bazhong (bz-2023-special) applications ready for evaluation, and experts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import make_user
from skillreg.core import clock
from skillreg.evaluation.models import Expert
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution
from skillreg.registry.services import applications as registry
from skillreg.registry.tests.builders import gs_form, province_and_city, sc_form


@pytest.fixture
def gansu(db: None) -> tuple[Authority, Authority]:
    return province_and_city(("甘肃省人力资源和社会保障厅", "620000", "甘肃省"),
                             ("兰州市人力资源和社会保障局", "620100", "兰州市"), centres=True)


@pytest.fixture
def gs_centre(gansu: tuple[Authority, Authority]) -> Authority:
    return Authority.objects.get(level=Authority.Level.PROVINCE, kind=Authority.Kind.CENTRE, region_code="620000")


@pytest.fixture
def lanzhou(gansu: tuple[Authority, Authority]) -> Authority:
    return gansu[1]


@pytest.fixture
def lz_official(lanzhou: Authority) -> User:
    return make_user(Role.FILING_OFFICIAL, lanzhou, username="lz-official")


@pytest.fixture
def gs_centre_staff(gs_centre: Authority) -> User:
    return make_user(Role.CENTRE_STAFF, gs_centre, username="gs-centre")


@pytest.fixture
def gs_org(lanzhou: Authority) -> Institution:
    return InstitutionFactory.create(name="兰州市城关区电商职业培训学校", authority=lanzhou, region_code="620102",
                              credit_code=make_credit_code("620102", 7), body_kind="social_body",
                              pack_id="gs-2022-special")


def _accepted(org: Institution, form: dict[str, Any], official: User, material: str) -> Application:
    applicant = User.objects.create(username=f"applicant-{org.pk}", role=Role.INSTITUTION_USER, institution=org)
    app = registry.application_create(actor=applicant, institution=org, form=form, at=clock.now())
    registry.application_attach_material(actor=applicant, application=app, key=material,
                                         upload=SimpleUploadedFile("材料.pdf", samples.pdf()), at=clock.now())
    app = registry.application_submit(actor=applicant, application=app, at=clock.now())
    return registry.application_accept(actor=official, application=app, at=clock.now())


@pytest.fixture
def gs_app(gs_org: Institution, lz_official: User, gs_centre_staff: User) -> Application:
    """Routed to 兰州 (004 五(一)), reviewed by the province centre; accepted by 兰州."""
    return _accepted(gs_org, gs_form(gs_org), lz_official, "report")


@pytest.fixture
def bz_org(bazhong: Authority) -> Institution:
    return InstitutionFactory.create(name="巴中市恩阳区家政服务培训中心", authority=bazhong, region_code="511903",
                              credit_code=make_credit_code("511903", 3), pack_id="bz-2023-special")


@pytest.fixture
def bz_app(bz_org: Institution, bz_official: User) -> Application:
    return _accepted(bz_org, sc_form(bz_org), bz_official, "application-form")


def expert(authority: Authority, name: str, *, employer: str = "", credit_code: str = "",
           user: User | None = None, active: bool = True) -> Expert:
    return Expert.objects.create(
        name=name, employer=employer or f"{name}所在单位", employer_credit_code=credit_code,
        specialties=["农村电商运营"], region_code=authority.region_code, authority=authority, user=user,
        active=active, added_at=clock.now(),
    )


def expert_user(authority: Authority, username: str) -> User:
    return make_user(Role.EXPERT, authority, username=username)
