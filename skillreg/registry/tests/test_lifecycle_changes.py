"""Change filings (变更备案): routing (001 四(一)(二), 000 二(四)), the 5-working-day window
(001 四), the naming rule (001 五(一)), additions evaluated first (002 第十条), removals on
approval (004 五(五)), and the directory history showing what the public saw on a past date."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from skillreg.accounts.models import Authority
from skillreg.audit.models import AuditEvent
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.registry.models import ChangeFiling, DirectoryEntry, InstitutionScope
from skillreg.registry.services import lifecycle as svc
from skillreg.registry.tests.builders import gs_form, province_and_city
from skillreg.registry.tests.test_lifecycle_common import bz_filed, file_institution, pdf, sc_filed, staff_of

pytestmark = pytest.mark.django_db
S = ChangeFiling.Status


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.LOCAL_TZ)


def report(filed, kind: str, changes: dict, change_date: dt.date, when: dt.datetime | None = None) -> ChangeFiling:  # type: ignore[no-untyped-def]
    return svc.change_report(actor=filed.user, institution=filed.institution, kind=kind, changes=changes,
                             change_date=change_date, upload=pdf(), at=when or clock.now())


def test_001_四_a_change_reported_after_5_working_days_is_accepted_and_marked_late(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    # Changed Tuesday 2026-11-10; 5 working days after is Tuesday 11-17; reported Friday 11-20.
    late = report(filed, "identity", {"head_name": "李新"}, dt.date(2026, 11, 10))
    assert late.status == S.SUBMITTED
    assert late.report_due == dt.date(2026, 11, 17)
    assert late.late and late.window_source == "001 四"
    # The supervision record keeps it.
    event = AuditEvent.objects.get(action="institution.change_reported_late",
                                   object_id=str(filed.institution.public_id))
    assert "001 四" in event.summary
    svc.change_withdraw(actor=filed.user, change=late, at=clock.now())
    # Changed Monday 11-16: due Monday 11-23, reported 11-20 — in time. Reported before the change: in time.
    assert not report(filed, "identity", {"head_name": "李新"}, dt.date(2026, 11, 16)).late


def test_001_四_a_change_reported_before_it_happens_is_in_time(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    change = report(filed, "identity", {"address": "巴中市巴州区新址路8号"}, dt.date(2027, 3, 1))
    assert not change.late and change.report_due == dt.date(2027, 3, 8)


def test_002_第十一条_a_pack_that_only_says_promptly_marks_nothing_late(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    change = report(filed, "identity", {"legal_representative": "赵六"}, dt.date(2026, 1, 5))
    assert change.report_due is None and not change.late  # “及时”: no number is invented


def test_001_四_二_name_and_head_go_to_the_original_authority(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    change = report(filed, "identity", {"head_name": "李新"}, clock.today())
    assert change.authority == bazhong and change.routing_source == "001 四(二)"


def test_001_四_一_adding_a_technician_level_goes_to_the_province(bazhong: Authority, sichuan: Authority) -> None:
    filed = sc_filed(bazhong)
    change = report(filed, "scope", {"add": [{"name": "电工", "occupation_code": "6-31-01-03", "levels": [2]}]},
                    clock.today())
    # 001 二 tiers: 技师 is filed by the province (outside 成都), so the change goes there (001 四(一)).
    assert change.authority == sichuan
    assert change.routing_source == "001 四(一)"
    clerk, _ = staff_of(bazhong)
    with pytest.raises(DomainError, match="四川省"):
        svc.change_start_evaluation(actor=clerk, change=change, at=clock.now())


def test_001_五_一_a_new_name_breaking_the_naming_rule_is_refused(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    with pytest.raises(DomainError, match="不符合命名规则") as exc:
        report(filed, "identity", {"name": "巴中技能鉴定站"}, clock.today())
    assert exc.value.source == "001 五(一)"
    assert not ChangeFiling.objects.exists()
    # The organisation renamed itself: 承办单位全称 + 职业技能考核鉴定所 is accepted.
    ok = report(filed, "identity", {"organisation_name": "巴中市第二技师学院",
                                    "name": "巴中市第二技师学院职业技能考核鉴定所"}, clock.today())
    svc.change_approve(actor=filed.approver, change=ok, at=clock.now())
    assert filed.refresh().name == "巴中市第二技师学院职业技能考核鉴定所"


def test_002_第十条_a_project_is_added_only_after_evaluation_and_approval(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    institution = filed.institution
    change = report(filed, "scope", {"add": [{"name": "家政服务"}]}, clock.today())
    assert change.evaluation_required and change.evaluation_source == "002 第十条"
    assert not svc.scope_is_active(institution, "家政服务", None)
    with pytest.raises(DomainError, match="评估合格") as exc:
        svc.change_approve(actor=filed.approver, change=change, at=clock.now())
    assert exc.value.source == "002 第十条"
    svc.change_start_evaluation(actor=filed.clerk, change=change, at=clock.now())
    svc.change_conclude_evaluation(actor=filed.clerk, change=change, passed=True, summary="场地设备符合",
                                   at=clock.now())
    assert not svc.scope_is_active(institution, "家政服务", None)  # still not before approval
    assert "家政服务" not in json.dumps(DirectoryEntry.objects.get(institution=institution, superseded_at=None).data,
                                    ensure_ascii=False)
    svc.change_approve(actor=filed.approver, change=change, at=clock.now())
    assert svc.scope_is_active(institution, "家政服务", None)
    entry = DirectoryEntry.objects.get(institution=institution, superseded_at=None)
    assert entry.version == 2 and "家政服务" in [s["name"] for s in entry.data["scope"]]


def test_a_failed_evaluation_cannot_be_approved_only_refused(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    change = report(filed, "scope", {"add": [{"name": "家政服务"}]}, clock.today())
    svc.change_start_evaluation(actor=filed.clerk, change=change, at=clock.now())
    svc.change_conclude_evaluation(actor=filed.clerk, change=change, passed=False, summary="设备不足", at=clock.now())
    with pytest.raises(DomainError, match="评估不合格"):
        svc.change_approve(actor=filed.approver, change=change, at=clock.now())
    svc.change_refuse(actor=filed.approver, change=change, reason="评估不合格", at=clock.now())
    assert not InstitutionScope.objects.filter(institution=filed.institution, name="家政服务").exists()


@pytest.fixture
def gansu() -> tuple[Authority, Authority]:
    return province_and_city(("甘肃省人力资源和社会保障厅", "620000", "甘肃省"),
                             ("兰州市人力资源和社会保障局", "620100", "兰州市"), centres=True)


def gs_filed(lanzhou: Authority):  # type: ignore[no-untyped-def]
    def form(org):  # type: ignore[no-untyped-def]
        return gs_form(org, scope=[{"name": "农村电商运营", "levels": [], "assessors": 3},
                                   {"name": "中式面点制作", "levels": [], "assessors": 3}])
    return file_institution(lanzhou, "gs-2022-special", name="兰州市某职业培训学校", region="620102", form=form)


def test_004_五_五_removing_a_project_takes_effect_on_approval(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    filed = gs_filed(lanzhou)
    change = report(filed, "scope", {"remove": [{"name": "中式面点制作"}]}, clock.today())
    assert not change.evaluation_required
    assert svc.scope_is_active(filed.institution, "中式面点制作", None)  # until approved
    svc.change_approve(actor=filed.approver, change=change, at=clock.now())
    assert not svc.scope_is_active(filed.institution, "中式面点制作", None)


def test_004_四_a_project_not_in_the_catalogue_cannot_be_added(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    filed = gs_filed(lanzhou)
    with pytest.raises(DomainError, match="不在本省专项职业能力考核项目目录中") as exc:
        report(filed, "scope", {"add": [{"name": "无人机植保"}]}, clock.today())
    assert exc.value.source == "004 四"


def test_history_shows_the_entry_as_it_was_on_a_past_date(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)  # published 2026-11-20; 001 五(四) publishes name, code, address, head, scope
    code = filed.institution.code
    change = report(filed, "identity", {"head_name": "李新", "address": "巴中市巴州区新址路8号"}, dt.date(2026, 12, 1))
    # Not approved yet: the public still sees the old head.
    assert Client().get(f"/api/v1/public/institutions/{code}").json()["head"] == "周建华"
    svc.change_approve(actor=filed.approver, change=change, at=at(dt.date(2026, 12, 10)))
    before = Client().get(f"/api/v1/public/institutions/{code}/history", {"on": "2026-12-09"}).json()
    after = Client().get(f"/api/v1/public/institutions/{code}/history", {"on": "2026-12-10"}).json()
    [old], [new] = before["versions"], after["versions"]
    assert (old["version"], old["record"]["head"]) == (1, "周建华")
    assert (new["version"], new["record"]["head"], new["record"]["address"]) == (2, "李新", "巴中市巴州区新址路8号")
    assert old["superseded_at"] == new["published_at"]
    assert len(Client().get(f"/api/v1/public/institutions/{code}/history").json()["versions"]) == 2


def test_the_api_reports_a_change_with_its_document_and_the_page_keeps_what_was_typed(bazhong: Authority) -> None:
    filed = sc_filed(bazhong)
    client = login(filed.user)
    url = f"/api/v1/lifecycle/institutions/{filed.institution.public_id}/changes"
    response = client.post(url, {"kind": "identity", "change_date": "2026-11-10",
                                 "changes": json.dumps({"head_name": "李新"}), "document": pdf()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["late"] and body["report_due"] == "2026-11-17" and body["authority"] == bazhong.name
    assert client.post(f"/api/v1/lifecycle/changes/{body['id']}/withdraw").json()["status"] == "withdrawn"
    refused = client.post(url, {"kind": "identity", "change_date": "2026-11-20",
                                "changes": json.dumps({"name": "巴中技能鉴定站"}), "document": pdf()})
    assert refused.status_code == 409 and refused.json()["source"] == "001 五(一)"
    page = client.post(f"/lifecycle/institutions/{filed.institution.public_id}/change/",
                       {"kind": "identity", "change_date": "2026-11-20", "name": "巴中技能鉴定站", "document": pdf()})
    assert page.status_code == 422
    html = page.content.decode()
    assert "不符合命名规则" in html and 'value="巴中技能鉴定站"' in html


def test_the_change_page_walks_an_addition_through_evaluation_and_approval(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    change = report(filed, "scope", {"add": [{"name": "家政服务"}]}, clock.today())
    base = f"/lifecycle/changes/{change.public_id}/"
    assert "组织评估" in login(filed.clerk).get(base).content.decode()
    early = login(filed.approver).post(base + "approve/")
    assert early.status_code == 422 and "002 第十条" in early.content.decode()
    login(filed.clerk).post(base + "start-evaluation/")
    login(filed.clerk).post(base + "conclude-evaluation/", {"passed": "1", "summary": "合格"})
    assert login(filed.approver).post(base + "approve/", {"reason": "同意"}).status_code == 302
    assert ChangeFiling.objects.get(pk=change.pk).status == S.APPROVED
