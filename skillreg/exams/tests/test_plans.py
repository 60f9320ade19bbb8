import datetime as dt
from decimal import Decimal

import pytest

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.exams.models import ExamPlan, Venue
from skillreg.exams.services import plans as svc
from skillreg.exams.tests.conftest import filed_institution, filed_venue, make_plan, scope_of
from skillreg.registry.models import Institution


def test_a_filed_institution_publishes_a_plan(plan: ExamPlan) -> None:
    assert plan.status == ExamPlan.Status.PUBLISHED
    assert plan.scope_name == "竹编工艺" and plan.fee == Decimal("120.00")


def test_an_institution_that_is_not_filed_cannot_plan(inst, inst_user, venue, scope) -> None:
    Institution.objects.filter(pk=inst.pk).update(status=Institution.Status.SUSPENDED)
    inst.refresh_from_db()
    with pytest.raises(DomainError) as err:
        make_plan(inst_user, inst, venue, scope)
    assert err.value.code == "institution_not_filed"


def test_an_expired_filing_cannot_plan(inst, inst_user, venue, scope) -> None:
    # 002 第十条: validity three years; past valid_until the institution may not assess.
    Institution.objects.filter(pk=inst.pk).update(valid_until=dt.date(2026, 11, 1))
    inst.refresh_from_db()
    with pytest.raises(DomainError) as err:
        make_plan(inst_user, inst, venue, scope)
    assert err.value.code == "institution_expired" and err.value.source == "002 第十条"


def test_a_scope_the_institution_does_not_hold_is_refused(inst, inst_user, venue, bazhong) -> None:
    other = filed_institution(bazhong)
    with pytest.raises(DomainError) as err:
        make_plan(inst_user, inst, venue, scope_of(other, "面点制作"))
    assert err.value.code == "scope_unknown"


def test_an_off_site_venue_needs_the_centres_approval_first(inst, inst_user, scope, centre) -> None:
    # 002 第十三条: outside the filed sites only after the centre checked the site.
    venue = svc.venue_apply_off_site(actor=inst_user, institution=inst, name="恩阳区临时考点",
                                     address="巴中市恩阳区", region_code="511903", rooms=1, capacity=30,
                                     reason="考生集中在恩阳区", at=NOW)
    with pytest.raises(DomainError) as err:
        make_plan(inst_user, inst, venue, scope)
    assert err.value.source == "002 第十三条"
    svc.venue_decide(actor=centre, venue=venue, approve=True, at=NOW)
    assert make_plan(inst_user, inst, Venue.objects.get(pk=venue.pk), scope).status == ExamPlan.Status.PUBLISHED


def test_returning_an_off_site_venue_needs_a_reason(inst, inst_user, centre) -> None:
    venue = svc.venue_apply_off_site(actor=inst_user, institution=inst, name="临时考点", address="巴中市",
                                     region_code="511902", rooms=1, capacity=30, reason="场地不足", at=NOW)
    with pytest.raises(DomainError):
        svc.venue_decide(actor=centre, venue=venue, approve=False, reason="", at=NOW)
    assert svc.venue_decide(actor=centre, venue=venue, approve=False, reason="无监控", at=NOW).status == "returned"


def test_only_the_centre_approves_an_off_site_venue(inst, inst_user, bz_official, chengdu) -> None:
    venue = svc.venue_apply_off_site(actor=inst_user, institution=inst, name="临时考点", address="巴中市",
                                     region_code="511902", rooms=1, capacity=30, reason="场地不足", at=NOW)
    for actor in (bz_official, inst_user, make_user(Role.CENTRE_STAFF, chengdu)):
        with pytest.raises(DomainError):
            svc.venue_decide(actor=actor, venue=venue, approve=True, at=NOW)


def test_a_city_wide_social_body_may_not_assess_outside_its_city(wuhai, wh_official) -> None:
    # 003 三(四): a social body filed for a 盟市 assesses within that city only.
    inst = filed_institution(wuhai, pack_id="nm-2021-skill-level")
    user = make_user(Role.INSTITUTION_USER, None, institution=inst)
    venue = Venue.objects.create(institution=inst, kind=Venue.Kind.FILED, name="外地考点", address="呼和浩特",
                                 region_code="150100", status=Venue.Status.APPROVED, applied_at=NOW,
                                 applied_by=wh_official)
    with pytest.raises(DomainError) as err:
        make_plan(user, inst, venue, scope_of(inst, "电工", 4))
    assert err.value.source == "003 三(四)"
    home = filed_venue(inst, wh_official)
    assert make_plan(user, inst, home, scope_of(inst, "钳工", 4)).level == 4


def test_the_pass_mark_cannot_change_after_the_exam_starts(plan, inst_user) -> None:
    svc.plan_set_pass_mark(actor=inst_user, plan=plan, pass_mark=Decimal(70), at=NOW)
    later = dt.datetime.combine(plan.exam_start, dt.time(9), tzinfo=clock.LOCAL_TZ)
    with pytest.raises(DomainError) as err:
        svc.plan_set_pass_mark(actor=inst_user, plan=plan, pass_mark=Decimal(50), at=later)
    assert err.value.code == "pass_mark_locked" and err.value.source


def test_another_institution_cannot_touch_the_plan(plan, bazhong) -> None:
    other = make_user(Role.INSTITUTION_USER, None, institution=filed_institution(bazhong))
    with pytest.raises(DomainError):
        svc.plan_cancel(actor=other, plan=plan, reason="x", at=NOW)
