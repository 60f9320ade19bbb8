"""004 四(二)(三): a request to add a project goes through province review, is recorded as sent
for national filing, and joins the province's catalogue once filed."""

from __future__ import annotations

import pytest

from skillreg.accounts.models import Authority, Role
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.registry.models import ProjectRequest, SpecialProject
from skillreg.registry.services import lifecycle as svc
from skillreg.registry.tests.builders import official, province_and_city
from skillreg.registry.tests.test_lifecycle_changes import gs_filed
from skillreg.registry.tests.test_lifecycle_common import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def gansu() -> tuple[Authority, Authority]:
    return province_and_city(("甘肃省人力资源和社会保障厅", "620000", "甘肃省"),
                             ("兰州市人力资源和社会保障局", "620100", "兰州市"), centres=True)


def centre(province: Authority):  # type: ignore[no-untyped-def]
    authority = Authority.objects.get(region_code=province.region_code, kind=Authority.Kind.CENTRE)
    return official(Role.CENTRE_STAFF, authority, "gs-centre")


def test_004_四_三_a_new_project_joins_the_catalogue_only_once_filed_nationally(gansu) -> None:  # type: ignore[no-untyped-def]
    province, lanzhou = gansu
    filed = gs_filed(lanzhou)
    staff = centre(province)
    request = svc.project_request_submit(actor=filed.user, origin="new", name="无人机植保",
                                         specification=pdf("规范.pdf"), question_bank=True, reason="乡村振兴需要",
                                         at=clock.now())
    assert request.region_code == "620000" and request.source == "004 四(二)"
    assert request.institution == filed.institution
    # The city may not review; only the province.
    with pytest.raises(DomainError, match="省级"):
        svc.project_request_review(actor=filed.clerk, request=request, at=clock.now())
    with pytest.raises(IllegalTransition):
        svc.project_request_file(actor=staff, request=request, at=clock.now())
    for step in (svc.project_request_review, svc.project_request_send):
        step(actor=staff, request=request, at=clock.now())
        assert not svc.is_catalogued("620102", "无人机植保")
    request = svc.project_request_file(actor=staff, request=request, national_reference="部中心备〔2026〕12号",
                                       at=clock.now())
    assert request.status == ProjectRequest.Status.FILED
    assert SpecialProject.objects.get(region_code="620000", name="无人机植保") == request.project
    assert svc.is_catalogued("620102", "无人机植保")
    # Now the institution may ask to add it (004 五(五)).
    change = svc.change_report(actor=filed.user, institution=filed.institution, kind="scope",
                               changes={"add": [{"name": "无人机植保"}]}, change_date=clock.today(), upload=pdf(),
                               at=clock.now())
    assert change.evaluation_required


def test_004_四_二_a_borrowed_project_needs_its_question_bank(gansu) -> None:  # type: ignore[no-untyped-def]
    province, _ = gansu
    staff = centre(province)
    with pytest.raises(InvalidInput, match="题（卷）库") as exc:
        svc.project_request_submit(actor=staff, origin="national", name="养老护理", specification=pdf(),
                                   at=clock.now())
    assert exc.value.source == "004 四(二)"
    request = svc.project_request_submit(actor=staff, origin="other_province", origin_note="四川省", name="养老护理",
                                         specification=pdf(), question_bank=True, at=clock.now())
    svc.project_request_refuse(actor=staff, request=request, reason="与本省产业需求不符", at=clock.now())
    assert request.__class__.objects.get(pk=request.pk).status == ProjectRequest.Status.REFUSED


def test_the_catalogue_pages_and_api(gansu) -> None:  # type: ignore[no-untyped-def]
    province, lanzhou = gansu
    filed = gs_filed(lanzhou)
    response = login(filed.user).post("/api/v1/lifecycle/project-requests", {
        "origin": "new", "name": "兰州牛肉面制作", "question_bank": "true", "specification": pdf()})
    assert response.status_code == 201, response.content
    staff = centre(province)
    page = login(staff).get("/lifecycle/projects/")
    assert page.status_code == 200 and "兰州牛肉面制作" in page.content.decode()
    public_id = response.json()["id"]
    assert login(staff).post(f"/api/v1/lifecycle/project-requests/{public_id}/review").json()["status"] == "reviewed"
    # Another province's officials do not see it.
    assert login(filed.clerk).get("/api/v1/lifecycle/project-requests").json() == []
