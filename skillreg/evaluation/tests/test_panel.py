"""Declines and replacement draws, independent scores, and the panel's conclusion."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from skillreg.accounts.models import Authority, User
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.evaluation import services
from skillreg.evaluation.models import Expert, ExpertScore, Panel, PanelMember
from skillreg.evaluation.pool import candidates_and_exclusions
from skillreg.evaluation.tests.conftest import expert, expert_user
from skillreg.files.tests import samples
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Application

pytestmark = pytest.mark.django_db


def _u(member: PanelMember) -> User:
    """The drawn expert's login (every test expert has one)."""
    assert member.expert.user is not None
    return member.expert.user
M = PanelMember.Status
BZ_METHODS = ["文件审核", "技术评估", "专家论证", "实地考察"]  # 002 第九条(三)


def _items(score: int = 85) -> list[dict[str, Any]]:
    return [{"method": m, "score": score, "notes": f"{m}情况良好"} for m in BZ_METHODS[:-1]] + [
        {"method": BZ_METHODS[-1], "passed": True, "notes": "场地设备齐全"}]


@pytest.fixture
def pool(bazhong: Authority) -> list[Expert]:
    return [expert(bazhong, f"专家{n}", user=expert_user(bazhong, f"expert{n}")) for n in range(6)]


@pytest.fixture
def panel(bz_app: Application, bz_official: User, pool: list[Expert]) -> Panel:
    return services.panel_draw(actor=bz_official, application=bz_app, size=3, at=clock.now())


def _members(panel: Panel) -> list[PanelMember]:
    return list(panel.members.select_related("expert__user").order_by("pk"))


def test_a_declined_member_is_replaced_by_a_new_recorded_draw(panel: Panel, bz_official: User, capsys) -> None:  # type: ignore[no-untyped-def]
    first = _members(panel)
    declining = first[0]
    # The expert declines for themselves.
    services.panel_member_decline(actor=_u(declining), member=declining, reason="出差在外",
                                  at=clock.now())
    # The official records another decline on an expert's behalf.
    services.panel_member_decline(actor=bz_official, member=first[1], reason="电话告知身体不适", at=clock.now())

    record = services.panel_replace(actor=bz_official, panel=panel, at=clock.now())

    assert record.pk != panel.draw_id and record.purpose == "备案评估专家补抽" and record.count == 2
    reasons = {e["key"]: e["reason"] for e in record.exclusions}
    assert reasons[str(declining.expert.public_id)] == "已谢绝本次评估：出差在外"
    assert reasons[str(first[2].expert.public_id)] == "已是本专家组成员"
    assert len(reasons) == 3
    members = _members(panel)
    assert [m.status for m in members[:3]] == [M.REPLACED, M.REPLACED, M.DRAWN]
    added = members[3:]
    assert len(added) == 2 and all(m.draw_id == record.pk and m.status == M.DRAWN for m in added)
    assert {m.expert_id for m in added}.isdisjoint({m.expert_id for m in first})
    call_command("verify-draw", str(panel.draw.public_id), str(record.public_id))
    assert "2 条记录均可按种子重算" in capsys.readouterr().out

    with pytest.raises(DomainError, match="没有谢绝后待补抽的专家"):
        services.panel_replace(actor=bz_official, panel=panel, at=clock.now())


def test_a_later_panel_for_the_same_applicant_records_an_earlier_decline(
        panel: Panel, bz_official: User) -> None:
    member = _members(panel)[0]
    services.panel_member_decline(actor=bz_official, member=member, reason="回避", at=clock.now())
    Panel.objects.filter(pk=panel.pk).update(concluded_at=clock.now(), passed=False)
    other = Panel.objects.create(application=panel.application, draw=panel.draw, size=1,
                                 created_at=clock.now(), created_by=bz_official)
    _, _, exclusions = candidates_and_exclusions(panel.application, get_pack("bz-2023-special"), panel=other)
    assert {"key": str(member.expert.public_id), "reason": "曾谢绝参加该申请单位的评估"} in [
        {"key": e.key, "reason": e.reason} for e in exclusions]


def test_an_expert_cannot_submit_twice(panel: Panel) -> None:
    member = _members(panel)[0]
    user = _u(member)
    services.score_submit(actor=user, member=member, items=_items(), passed=True, opinion="同意", at=clock.now(),
                          photos=[SimpleUploadedFile("现场.png", samples.png())])
    with pytest.raises(DomainError, match="已提交评分，提交后不能修改"):
        services.score_submit(actor=user, member=member, items=_items(10), passed=False, opinion="改主意",
                              at=clock.now())
    score = ExpertScore.objects.get(member=member)
    assert score.passed is True and score.items[0]["score"] == 85 and score.photos.count() == 1

    client = login(user)
    response = client.post(f"/api/v1/evaluation/assignments/{panel.application.public_id}/score",
                           {"items": _items(10), "passed": False}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "already_submitted"


def test_an_expert_scores_only_as_themselves_and_on_the_pack_methods(panel: Panel, bz_official: User) -> None:
    first, second = _members(panel)[:2]
    with pytest.raises(DomainError, match="只有被抽中的专家本人"):
        services.score_submit(actor=_u(second), member=first, items=_items(), passed=True, opinion="",
                              at=clock.now())
    with pytest.raises(InvalidInput, match="请填写“实地考察”"):
        services.score_submit(actor=_u(first), member=first, items=_items()[:-1], passed=True,
                              opinion="", at=clock.now())
    with pytest.raises(InvalidInput, match="0–100"):
        services.score_submit(actor=_u(first), member=first, items=_items(101), passed=True,
                              opinion="", at=clock.now())
    with pytest.raises(InvalidInput, match=r"PDF"):
        services.score_submit(actor=_u(first), member=first, items=_items(), passed=True, opinion="",
                              at=clock.now(), photos=[SimpleUploadedFile("a.pdf", samples.pdf())])
    assert not ExpertScore.objects.exists()


def test_the_conclusion_waits_for_every_active_member(panel: Panel, bz_official: User) -> None:
    members = _members(panel)
    services.score_submit(actor=_u(members[0]), member=members[0], items=_items(), passed=True,
                          opinion="", at=clock.now())
    with pytest.raises(DomainError, match="尚有 2 名专家未提交评分"):
        services.panel_conclude(actor=bz_official, panel=panel, passed=True, summary="合格", at=clock.now())
    services.panel_member_decline(actor=bz_official, member=members[1], reason="冲突", at=clock.now())
    with pytest.raises(DomainError, match="已谢绝，须先补抽专家"):
        services.panel_conclude(actor=bz_official, panel=panel, passed=True, summary="合格", at=clock.now())
    services.panel_replace(actor=bz_official, panel=panel, at=clock.now())
    for member in _members(panel):
        if member.status == M.DRAWN:
            services.score_submit(actor=_u(member), member=member, items=_items(), passed=True,
                                  opinion="", at=clock.now())
    services.panel_conclude(actor=bz_official, panel=panel, passed=True, summary="三名专家一致认为合格",
                            at=clock.now())
    panel.refresh_from_db()
    assert panel.passed is True and panel.concluded_at is not None
    assert panel.application.status == Application.Status.EVALUATED
    with pytest.raises(DomainError, match="已形成评估结论"):
        services.panel_conclude(actor=bz_official, panel=panel, passed=False, summary="再来", at=clock.now())


def test_a_submitted_member_cannot_decline(panel: Panel) -> None:
    member = _members(panel)[0]
    services.score_submit(actor=_u(member), member=member, items=_items(), passed=True, opinion="",
                          at=clock.now())
    with pytest.raises(DomainError, match="不能谢绝"):
        services.panel_member_decline(actor=_u(member), member=member, reason="晚了", at=clock.now())


def test_an_expert_not_drawn_gets_404_on_the_scoring_page_and_api(
        panel: Panel, pool: list[Expert], bazhong: Authority) -> None:
    drawn = {m.expert_id for m in panel.members.all()}
    outsider = next(e for e in pool if e.pk not in drawn).user
    assert outsider is not None
    client = login(outsider)
    app_id = panel.application.public_id
    assert client.get(f"/evaluation/applications/{app_id}/score/").status_code == 404
    assert client.get(f"/api/v1/evaluation/assignments/{app_id}").status_code == 404
    response = client.post(f"/api/v1/evaluation/assignments/{app_id}/score",
                           {"items": _items(), "passed": True}, content_type="application/json")
    assert response.status_code == 404
    # Nor does an expert reach the official's panel page or the registry's application.
    assert client.get(f"/evaluation/applications/{app_id}/").status_code == 404
    assert client.get(f"/api/v1/evaluation/applications/{app_id}/panel").status_code == 404
    assert client.get(f"/api/v1/applications/{app_id}").status_code == 404
    assert client.get("/api/v1/evaluation/assignments").json() == []


def test_an_expert_sees_no_other_scores_before_submitting(panel: Panel) -> None:
    first, second = _members(panel)[:2]
    services.score_submit(actor=_u(first), member=first, items=_items(), passed=True,
                          opinion="第一位专家的意见", at=clock.now())
    client = login(_u(second))
    page = client.get(f"/evaluation/applications/{panel.application.public_id}/score/").content.decode()
    assert "第一位专家的意见" not in page and "提交评分" in page
    api = client.get(f"/api/v1/evaluation/assignments/{panel.application.public_id}").json()
    assert api["score"] is None
    services.score_submit(actor=_u(second), member=second, items=_items(), passed=True, opinion="",
                          at=clock.now())
    page = client.get(f"/evaluation/applications/{panel.application.public_id}/score/").content.decode()
    assert "第一位专家的意见" in page
