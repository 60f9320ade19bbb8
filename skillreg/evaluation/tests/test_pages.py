"""The official's panel page, the expert's pages and the pool page: who may see what, and the forms."""

from __future__ import annotations

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.evaluation import services
from skillreg.evaluation.models import Expert, Panel, PanelMember
from skillreg.evaluation.tests.conftest import expert, expert_user
from skillreg.registry.models import Application

pytestmark = pytest.mark.django_db


def _u(member: PanelMember) -> User:
    """The drawn expert's login (every test expert has one)."""
    assert member.expert.user is not None
    return member.expert.user


@pytest.fixture
def experts(bazhong: Authority) -> list[Expert]:
    return [expert(bazhong, f"专家{n}", user=expert_user(bazhong, f"expert{n}")) for n in range(5)]


def test_the_official_draws_from_the_panel_page(bz_app: Application, bz_official: User,
                                                experts: list[Expert]) -> None:
    client = login(bz_official)
    url = f"/evaluation/applications/{bz_app.public_id}/"
    page = client.get(url).content.decode()
    assert "文件未规定专家组人数" in page and "002 第九条(三)" in page
    response = client.post(url + "draw/", {"size": "9"}, follow=True)
    assert "专家库可抽取人数不足" in response.content.decode()
    assert 'value="9"' in response.content.decode()  # the typed size is kept
    response = client.post(url + "draw/", {"size": "2"}, follow=True)
    page = response.content.decode()
    assert "已随机抽取专家组" in page
    panel = Panel.objects.get()
    assert f"/api/v1/draws/{panel.draw.public_id}" in page and panel.draw.seed in page
    member = panel.members.first()
    assert member is not None
    response = client.post(url + "decline/", {"member": str(member.public_id), "reason": "代为登记：出差"}, follow=True)
    assert "谢绝" in response.content.decode()
    response = client.post(url + "replace/", follow=True)
    assert "已补抽专家" in response.content.decode()
    assert panel.members.filter(status=PanelMember.Status.DRAWN).count() == 2
    response = client.post(url + "conclude/", {"passed": "1", "summary": "合格"}, follow=True)
    assert "未提交评分" in response.content.decode()


def test_other_officials_and_applicants_get_404_on_the_panel_page(
        bz_app: Application, wh_official: User, experts: list[Expert]) -> None:
    url = f"/evaluation/applications/{bz_app.public_id}/"
    assert login(wh_official).get(url).status_code == 404
    assert login(wh_official).post(url + "draw/", {"size": "1"}).status_code == 404
    applicant = User.objects.get(role=Role.INSTITUTION_USER, institution=bz_app.institution)
    assert login(applicant).get(url).status_code == 404
    assert login(wh_official).get(f"/api/v1/evaluation/applications/{bz_app.public_id}/panel").status_code == 404


def test_pages_need_login(bz_app: Application) -> None:
    from django.test import Client

    assert Client().get("/evaluation/").status_code == 302
    assert Client().get(f"/evaluation/applications/{bz_app.public_id}/").status_code == 302
    assert Client().post("/api/v1/evaluation/experts", {}, content_type="application/json").status_code == 401


def test_the_expert_lists_and_scores_and_typed_values_survive_an_error(
        bz_app: Application, bz_official: User, experts: list[Expert]) -> None:
    panel = services.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    member = panel.members.select_related("expert__user").first()
    assert member is not None
    client = login(_u(member))
    assert bz_app.institution.name in client.get("/evaluation/").content.decode()
    url = f"/evaluation/applications/{bz_app.public_id}/score/"
    page = client.get(url).content.decode()
    for method in ("文件审核", "技术评估", "专家论证", "实地考察"):
        assert method in page
    # 实地考察 left blank: refused, and what was typed stays.
    data = {"score_0": "88", "notes_0": "材料完整规范", "verdict_1": "pass", "score_2": "75",
            "passed": "pass", "opinion": "建议备案"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "请填写“实地考察”的评分或结论" in page
    assert 'value="88"' in page and "材料完整规范" in page and "建议备案" in page
    data["verdict_3"] = "fail"
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "评分已提交" in page and "不可修改" in page
    member.refresh_from_db()
    assert member.status == PanelMember.Status.SUBMITTED
    assert member.score.items[3] == {"method": "实地考察", "score": None, "passed": False, "notes": ""}


def test_the_pool_page_adds_and_the_pool_is_per_authority(bazhong: Authority, bz_official: User,
                                                          wh_official: User) -> None:
    client = login(bz_official)
    response = client.post("/evaluation/experts/", {"name": "王专家", "employer": "巴中职业技术学院",
                                                    "employer_credit_code": "123", "region_code": "511900"})
    assert "统一社会信用代码" in response.content.decode() and 'value="王专家"' in response.content.decode()
    response = client.post("/evaluation/experts/", {"name": "王专家", "employer": "巴中职业技术学院",
                                                    "region_code": "511900", "specialties": "家政服务\n养老护理"},
                           follow=True)
    assert "专家已入库" in response.content.decode()
    added = Expert.objects.get(name="王专家")
    assert added.authority == bazhong and added.specialties == ["家政服务", "养老护理"]
    assert "王专家" not in login(wh_official).get("/evaluation/experts/").content.decode()
    assert login(wh_official).post(f"/evaluation/experts/{added.public_id}/deactivate/").status_code == 404
    expert_login = make_user(Role.EXPERT, bazhong, username="e1")
    assert login(expert_login).get("/evaluation/experts/").status_code == 404


def test_score_photos_reach_the_expert_and_the_officials_only(
        bz_app: Application, bz_official: User, wh_official: User, experts: list[Expert]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skillreg.files.tests import samples

    panel = services.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    first, second = list(panel.members.select_related("expert__user").order_by("pk"))
    items = [{"method": m, "passed": True} for m in ("文件审核", "技术评估", "专家论证", "实地考察")]
    score = services.score_submit(actor=_u(first), member=first, items=items, passed=True, opinion="", at=clock.now(),
                                  photos=[SimpleUploadedFile("现场照片.png", samples.png())])
    url = f"/evaluation/photos/{score.photos.get().file.public_id}/"
    assert login(_u(first)).get(url).status_code == 200
    assert login(bz_official).get(url).status_code == 200
    assert login(wh_official).get(url).status_code == 404
    assert login(_u(second)).get(url).status_code == 404


def test_the_openapi_document_declares_the_endpoints(db: None) -> None:
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/draws/{public_id}" in paths
    assert "/api/v1/evaluation/applications/{public_id}/panel" in paths
    assert "/api/v1/evaluation/assignments/{public_id}/score" in paths
