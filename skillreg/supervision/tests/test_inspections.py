"""双随机、一公开 (001 五(三), 002 第二十条, 003 五(三)); items of 002 第二十一条."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, login, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.draws.services import draw_recompute
from skillreg.supervision.models import Inspection, InspectionPlan
from skillreg.supervision.models.inspections import INSPECTION_ITEMS
from skillreg.supervision.services import inspections as svc
from skillreg.supervision.tests.conftest import filed
from skillreg.workdays.calendar import add_workdays

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(bazhong, bz_official):  # type: ignore[no-untyped-def]
    bodies = [filed(bazhong) for _ in range(4)]
    inspectors = [make_user(Role.SUPERVISOR, bazhong, username=f"sup{i}") for i in range(4)]
    plan = svc.plan_create(actor=bz_official, authority=bazhong, title="2026年第一批", year=2026,
                           items=list(INSPECTION_ITEMS), draw_count=2, at=NOW)
    return plan, bodies, inspectors


def test_plan_needs_at_least_two_inspectors_per_body(bazhong, bz_official) -> None:
    with pytest.raises(InvalidInput):
        svc.plan_create(actor=bz_official, authority=bazhong, title="x", year=2026, items=["hardware"],
                        draw_count=1, inspectors_per_body=1, at=NOW)


def test_plan_items_come_from_002_article_21(bazhong, bz_official) -> None:
    with pytest.raises(InvalidInput) as exc:
        svc.plan_create(actor=bz_official, authority=bazhong, title="x", year=2026, items=["made-up"],
                        draw_count=1, at=NOW)
    assert exc.value.source == "002 第二十一条"


def test_both_draws_are_stored_and_recompute(setup, bz_official) -> None:
    plan, _bodies, _inspectors = setup
    plan = svc.plan_draw_bodies(actor=bz_official, plan=plan, at=NOW)
    assert plan.body_draw is not None and len(plan.body_draw.result) == 2
    assert draw_recompute(plan.body_draw) == plan.body_draw.result
    plan = svc.plan_draw_inspectors(actor=bz_official, plan=plan, at=NOW)
    for inspection in plan.inspections.all():
        assert inspection.inspectors.count() == 2
        assert draw_recompute(inspection.inspector_draw) == inspection.inspector_draw.result


def test_share_draws_rounded_up(bazhong, bz_official) -> None:
    for _ in range(3):
        filed(bazhong)
    plan = svc.plan_create(actor=bz_official, authority=bazhong, title="比例", year=2026, items=["hardware"],
                           draw_percent=50, at=NOW)
    plan = svc.plan_draw_bodies(actor=bz_official, plan=plan, at=NOW)
    assert plan.inspections.count() == 2  # ceil(3 × 50%)


def test_conflicted_inspector_is_excluded_with_reason(setup, bz_official) -> None:
    plan, _bodies, inspectors = setup
    plan = svc.plan_draw_bodies(actor=bz_official, plan=plan, at=NOW)
    target = plan.inspections.first()
    for inspector in inspectors[:2]:
        svc.conflict_declare(actor=bz_official, plan=plan, inspector=inspector, institution=target.institution,
                             reason="曾在该机构任职", at=NOW)
    svc.plan_draw_inspectors(actor=bz_official, plan=plan, at=NOW)
    target.refresh_from_db()
    drawn = set(target.inspectors.values_list("pk", flat=True))
    assert drawn == {inspectors[2].pk, inspectors[3].pk}
    assert {"key": str(inspectors[0].pk), "reason": "曾在该机构任职"} in target.inspector_draw.exclusions


def test_findings_with_evidence_then_conclusion_sets_publish_deadline(setup, bz_official) -> None:
    plan, _, _ = setup
    plan = svc.plan_draw_inspectors(actor=bz_official, plan=svc.plan_draw_bodies(actor=bz_official, plan=plan,
                                                                                   at=NOW), at=NOW)
    inspection = plan.inspections.first()
    inspector = inspection.inspectors.first()
    with pytest.raises(DomainError):
        svc.inspection_conclude(actor=inspector, inspection=inspection, result="conform", conclusion="", at=NOW)
    for item in INSPECTION_ITEMS:
        svc.finding_record(actor=inspector, inspection=inspection, item=item, outcome="conform", note="", at=NOW,
                           evidence=[SimpleUploadedFile("现场.pdf", PDF)] if item == "hardware" else [])
    assert inspection.findings.get(item="hardware").evidence.count() == 1
    inspection = svc.inspection_conclude(actor=inspector, inspection=inspection, result="conform",
                                         conclusion="未发现问题", at=NOW)
    # Documents silent: system default 20 working days.
    assert inspection.publish_due == add_workdays(NOW.date(), 20).date
    assert svc.plan_publish(actor=bz_official, plan=plan, at=NOW) == 1
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    page = login(bz_official).get("/supervision/public/inspections/")
    assert inspection.institution.name in page.content.decode()


def test_only_drawn_inspectors_record_findings(setup, bz_official) -> None:
    plan, _, _ = setup
    plan = svc.plan_draw_inspectors(actor=bz_official, plan=svc.plan_draw_bodies(actor=bz_official, plan=plan,
                                                                                   at=NOW), at=NOW)
    with pytest.raises(DomainError):
        svc.finding_record(actor=bz_official, inspection=plan.inspections.first(), item="hardware",
                           outcome="conform", note="", at=NOW)


def test_pool_is_the_authoritys_jurisdiction_only(bazhong, wuhai, bz_official) -> None:
    mine = filed(bazhong)
    filed(wuhai, pack_id="nm-2020-special")
    plan = svc.plan_create(actor=bz_official, authority=bazhong, title="x", year=2026, items=["hardware"],
                           draw_count=1, at=NOW)
    assert list(svc.body_pool(plan)) == [mine]


def test_another_citys_official_gets_404_on_plan(setup, wh_official) -> None:
    plan, _, _ = setup
    assert login(wh_official).get(f"/supervision/plans/{plan.public_id}/").status_code == 404
    assert login(wh_official).get(f"/api/v1/supervision/plans/{plan.public_id}").status_code == 404


def test_plan_pages_work_for_the_official(setup, bz_official) -> None:
    plan, _, _ = setup
    client = login(bz_official)
    assert client.get("/supervision/plans/").status_code == 200
    assert client.post(f"/supervision/plans/{plan.public_id}/draw-bodies/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.BODIES_DRAWN
    assert client.get(f"/supervision/plans/{plan.public_id}/").status_code == 200


def test_api_plan_draws(bazhong, bz_official) -> None:
    filed(bazhong)
    for i in range(2):
        make_user(Role.CENTRE_STAFF, bazhong, username=f"cs{i}")
    client = login(bz_official)
    r = client.post("/api/v1/supervision/plans", {"title": "API", "year": 2026, "items": ["hardware"],
                                                  "draw_count": 1}, content_type="application/json")
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert client.post(f"/api/v1/supervision/plans/{pid}/draw-bodies").status_code == 200
    r = client.post(f"/api/v1/supervision/plans/{pid}/draw-inspectors")
    assert r.status_code == 200
    assert len(r.json()["inspections"][0]["inspectors"]) == 2


def test_anonymous_is_sent_to_login(setup) -> None:
    from django.test import Client

    assert Client().get("/supervision/").status_code == 302
    assert Client().get("/api/v1/supervision/plans").status_code == 401


def test_clock_is_respected(setup, bz_official) -> None:
    later = NOW + dt.timedelta(days=1)
    with clock.frozen(later):
        plan, _, _ = setup
        plan = svc.plan_draw_bodies(actor=bz_official, plan=plan, at=clock.now())
        assert plan.bodies_drawn_at == later
