"""Suspension of one scope row (001 五(二)), cancellation (000 二(四), 001 四(三)) and stop
orders for unfiled bodies (001 五(五))."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from skillreg.accounts.models import Authority, Role
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.registry.models import DirectoryEntry, Institution, InstitutionScope
from skillreg.registry.services import lifecycle as svc
from skillreg.registry.tests.builders import official
from skillreg.registry.tests.test_lifecycle_common import pdf, sc_filed

pytestmark = pytest.mark.django_db


def test_001_五_二_a_suspended_scope_row_is_refused_for_exams_and_republished(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    row = InstitutionScope.objects.get(institution=filed.institution, name="电工", level=3)
    assert svc.scope_is_active(filed.institution, "电工", 3)
    svc.scope_suspend(actor=filed.clerk, scope=row, reason="操作技能考场设备损坏，限期整改", at=clock.now())
    row.refresh_from_db()
    assert row.suspension_source == "001 五(二)"
    assert not svc.scope_is_active(filed.institution, "电工", 3)
    assert svc.scope_is_active(filed.institution, "电工", 4)  # only that row
    assert DirectoryEntry.objects.filter(institution=filed.institution).count() == 2  # republished
    # The public sees the suspension on the entry, with its clause.
    public = Client().get(f"/api/v1/public/institutions/{filed.institution.code}").json()
    assert public["suspended"] == [{"name": "电工", "level": "高级", "since": "2026-11-20", "source": "001 五(二)"}]
    assert "暂停：电工（高级）" in Client().get(f"/directory/{filed.institution.code}/").content.decode()
    with pytest.raises(IllegalTransition):
        svc.scope_suspend(actor=filed.clerk, scope=row, reason="再次", at=clock.now())
    svc.scope_lift(actor=filed.approver, scope=row, reason="整改完成", at=clock.now())
    assert svc.scope_is_active(filed.institution, "电工", 3)
    assert DirectoryEntry.objects.filter(institution=filed.institution).count() == 3


def test_suspension_is_for_the_authority_of_the_place_only(bazhong: Authority, chengdu: Authority) -> None:
    filed = sc_filed(bazhong)
    row = InstitutionScope.objects.filter(institution=filed.institution).first()
    assert row is not None
    with pytest.raises(DomainError, match="管辖范围"):
        svc.scope_suspend(actor=official(Role.FILING_OFFICIAL, chengdu, "cd-x"), scope=row, reason="x", at=clock.now())
    with pytest.raises(DomainError):
        svc.scope_suspend(actor=filed.user, scope=row, reason="x", at=clock.now())
    with pytest.raises(InvalidInput, match="原因"):
        svc.scope_suspend(actor=filed.clerk, scope=row, reason=" ", at=clock.now())


def test_001_四_三_cancellation_is_asked_confirmed_and_stays_findable(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    code = filed.institution.code
    request = svc.cancellation_request(actor=filed.user, institution=filed.institution, reason="终止鉴定工作",
                                       upload=pdf("书面申请.pdf"), at=clock.now())
    assert request.source == "001 四(三)" and request.authority == bazhong
    # Still listed until the authority confirms.
    assert filed.refresh().status == Institution.Status.FILED
    with pytest.raises(DomainError):
        svc.cancellation_confirm(actor=filed.user, request=request, at=clock.now())
    svc.cancellation_confirm(actor=filed.clerk, request=request, at=clock.now())
    assert filed.refresh().status == Institution.Status.CANCELLED
    entry = DirectoryEntry.objects.get(institution=filed.institution, superseded_at=None)
    assert entry.data["status"] == "cancelled"
    # Out of the default search, found by its code and by status=cancelled.
    assert Client().get("/api/v1/public/institutions", {"q": code}).json()["total"] == 0
    found = Client().get("/api/v1/public/institutions", {"status": "cancelled"}).json()
    assert [i["code"] for i in found["items"]] == [code]
    one = Client().get(f"/api/v1/public/institutions/{code}").json()
    assert one["status"] == "cancelled" and one["status_label"] == "已注销"
    # A cancelled institution cannot report changes or renew.
    with pytest.raises(DomainError):
        svc.change_report(actor=filed.user, institution=filed.institution, kind="identity",
                          changes={"head_name": "x"}, change_date=clock.today(), upload=pdf(), at=clock.now())


def test_cancellation_through_the_pages(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    page = f"/lifecycle/institutions/{filed.institution.public_id}/"
    response = login(filed.user).post(page + "cancel/", {"reason": "停止考核业务", "document": pdf()})
    assert response.status_code == 302
    request = filed.institution.cancellation_requests.get()
    response = login(filed.clerk).post(f"/lifecycle/cancellations/{request.public_id}/confirm/")
    assert response.status_code == 302
    assert filed.refresh().status == Institution.Status.CANCELLED


def test_001_五_五_an_unfiled_body_ordered_to_stop_is_recorded(bazhong: Authority, chengdu: Authority) -> None:
    clerk = official(Role.FILING_OFFICIAL, bazhong, "bz-stop")
    order = svc.stop_order_record(actor=clerk, body_name="巴中市某未备案培训机构", region_code="511902",
                                  facts="未经备案擅自组织电工技能鉴定并收费", ordered_on=dt.date(2026, 11, 19),
                                  at=clock.now())
    assert order.source == "001 五(五)" and order.authority == bazhong
    assert list(svc.stop_orders_visible_to(clerk)) == [order]
    assert not svc.stop_orders_visible_to(official(Role.FILING_OFFICIAL, chengdu, "cd-stop")).exists()
    with pytest.raises(InvalidInput, match="管辖范围"):
        svc.stop_order_record(actor=clerk, body_name="成都某机构", region_code="510104", facts="x",
                              ordered_on=clock.today(), at=clock.now())
    response = login(clerk).post("/api/v1/lifecycle/stop-orders", {
        "body_name": "巴中另一机构", "region_code": "511921", "facts": "擅自开展鉴定", "ordered_on": "2026-11-20"})
    assert response.status_code == 201, response.content


def test_suspension_through_the_page_shows_on_it(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    row = InstitutionScope.objects.get(institution=filed.institution, name="焊工", level=4)
    page = f"/lifecycle/institutions/{filed.institution.public_id}/"
    client = login(filed.clerk)
    missing = client.post(page + "suspend/", {"scope": row.pk, "reason": ""})
    assert missing.status_code == 422 and "暂停须说明原因" in missing.content.decode()
    assert client.post(page + "suspend/", {"scope": row.pk, "reason": "考评员不足"}).status_code == 302
    html = client.get(page).content.decode()
    assert "考评员不足" in html and "001 五(二)" in html
    # The index lists it for the authority.
    assert "考评员不足" in client.get("/lifecycle/").content.decode()
