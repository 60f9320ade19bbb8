"""Exam plans respect the institution's later life: branch reports and suspended scope."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.accounts.factories import AuthorityFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.exams.services import plans as plan_svc
from skillreg.exams.tests.conftest import filed_institution, filed_venue, make_plan, scope_of
from skillreg.registry.services import lifecycle

pytestmark = pytest.mark.django_db


def test_a_plan_in_a_city_the_body_has_not_reported_to_is_refused_003_三_五(wuhai: Authority) -> None:
    baotou = AuthorityFactory(name="包头市人力资源和社会保障局", region_code="150200", region_name="包头市",
                              parent=wuhai.parent)
    inst = filed_institution(wuhai, pack_id="nm-2021-skill-level", name="乌海市某能源企业", region_code="150302",
                             body_kind="enterprise")
    user = make_user(Role.INSTITUTION_USER, None, institution=inst, username="nm-inst")
    official = make_user(Role.FILING_OFFICIAL, wuhai, username="wh-official-v")
    scope = scope_of(inst, name="电工", level=4)
    venue = plan_svc.venue_record_filed(actor=official, institution=inst, name="包头考点", address="包头市昆都仑区",
                                        region_code="150203", at=clock.now())
    with pytest.raises(DomainError, match="尚未向考点所在地") as exc:
        make_plan(user, inst, venue, scope)
    assert exc.value.source == "003 三(五)"
    lifecycle.branch_report_make(actor=user, institution=inst, region_code="150203",
                                 starts_on=dt.date(2026, 11, 21), at=clock.now())
    assert make_plan(user, inst, venue, scope).region_code == "150203"
    assert baotou.covers(venue.region_code)


def test_a_suspended_occupation_cannot_be_planned_001_五_二(bazhong: Authority, bz_official: User) -> None:
    inst = filed_institution(bazhong, name="巴中市某鉴定所")
    user = make_user(Role.INSTITUTION_USER, None, institution=inst, username="bz-inst-s")
    scope = scope_of(inst)
    venue = filed_venue(inst, bz_official)
    lifecycle.scope_suspend(actor=bz_official, scope=scope, reason="设施设备不符合考核要求，限期整改",
                            at=clock.now(), source="001 五(二)")
    scope.refresh_from_db()
    with pytest.raises(DomainError, match="已被暂停") as exc:
        make_plan(user, inst, venue, scope)
    assert exc.value.source == "001 五(二)"
