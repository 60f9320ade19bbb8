"""Builders for exam tests: a filed Bazhong institution (bz-2023-special) with a venue and a plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from stdnum.cn import ric

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import NOW, make_user
from skillreg.exams.models import Assessor, AssessorCertificate, ExamPlan, Venue
from skillreg.exams.services import plans as plan_svc
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import BodyKind, Institution, InstitutionScope

D = dt.date
CLOSES = D(2026, 11, 24)  # a Tuesday; NOW is Friday 2026-11-20, inside the 3-working-day entry window


def make_id(serial: int, *, region: str = "511902", birth: str = "19900101") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def filed_institution(authority: Authority, *, pack_id: str = "bz-2023-special",
                      body_kind: str = BodyKind.SOCIAL_BODY, **kw: object) -> Institution:
    return InstitutionFactory(authority=authority, pack_id=pack_id, body_kind=body_kind,
                              status=Institution.Status.FILED, valid_until=D(2029, 1, 1), **kw)


def scope_of(institution: Institution, name: str = "竹编工艺", level: int | None = None) -> InstitutionScope:
    return InstitutionScope.objects.create(institution=institution, name=name, level=level)


def filed_venue(institution: Institution, official: User, name: str = "本部考点") -> Venue:
    return plan_svc.venue_record_filed(actor=official, institution=institution, name=name,
                                       address="巴中市巴州区江北大道1号", region_code=institution.region_code,
                                       rooms=2, capacity=60, at=NOW)


def make_plan(user: User, institution: Institution, venue: Venue, scope: InstitutionScope, *,
              closes: dt.date = CLOSES, exam_start: dt.date | None = None, publish: bool = True,
              title: str = "竹编工艺专项考核") -> ExamPlan:
    start = exam_start or closes + dt.timedelta(days=10)
    plan = plan_svc.plan_create(actor=user, institution=institution, scope=scope, venue=venue, title=title,
                                registration_opens=D(2026, 11, 1), registration_closes=closes,
                                exam_start=start, exam_end=start, fee=Decimal("120.00"), at=NOW)
    if publish:
        plan = plan_svc.plan_publish(actor=user, plan=plan, at=NOW)
    return plan


def make_assessor(region: str, n: int, scope_name: str = "竹编工艺", **kw: object) -> Assessor:
    user = make_user(Role.ASSESSOR, Authority.objects.get(region_code=region), username=f"assessor{n}")
    a = Assessor.objects.create(user=user, name=f"考评员{n}", region_code=region, **kw)
    AssessorCertificate.objects.create(assessor=a, scope_name=scope_name, number=f"KP{n:04d}",
                                       valid_until=D(2030, 1, 1))
    return a


@pytest.fixture
def inst(bazhong: Authority) -> Institution:
    return filed_institution(bazhong, name="巴中市竹艺职业技能评价中心")


@pytest.fixture
def inst_user(inst: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, institution=inst, username="inst-user")


@pytest.fixture
def centre(bazhong: Authority) -> User:
    return make_user(Role.CENTRE_STAFF, bazhong, username="bz-centre")


@pytest.fixture
def venue(inst: Institution, bz_official: User) -> Venue:
    return filed_venue(inst, bz_official)


@pytest.fixture
def scope(inst: Institution) -> InstitutionScope:
    return scope_of(inst)


@pytest.fixture
def plan(inst_user: User, inst: Institution, venue: Venue, scope: InstitutionScope) -> ExamPlan:
    return make_plan(inst_user, inst, venue, scope)
