"""panel_draw: the pool, the exclusions with their reasons, and a record anyone can recompute."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from skillreg.accounts.models import Authority, User
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.draws.models import Draw
from skillreg.evaluation import services
from skillreg.evaluation.models import Panel, PanelMember
from skillreg.evaluation.tests.conftest import expert
from skillreg.registry.models import Application, Institution

pytestmark = pytest.mark.django_db


def _reasons(record: Draw) -> dict[str, str]:
    return {e["key"]: e["reason"] for e in record.exclusions}


def test_the_draw_excludes_same_employer_conflict_and_earlier_panel_with_reasons(
        bz_app: Application, bz_org: Institution, bazhong: Authority, bz_official: User, capsys) -> None:  # type: ignore[no-untyped-def]
    by_code = expert(bazhong, "赵同码", employer="另一名称", credit_code=bz_org.credit_code)
    by_name = expert(bazhong, "钱同名", employer=bz_org.name)
    conflicted = expert(bazhong, "孙回避")
    services.conflict_declare(actor=bz_official, expert=conflicted, institution=bz_org, reason="近亲属任该单位负责人",
                              at=clock.now())
    earlier = expert(bazhong, "李曾抽")
    # An earlier (concluded) panel for the same applicant drew 李曾抽.
    old = Draw.objects.create(purpose="旧", pool=[], seed="00", count=1, result=[], drawn_at=clock.now())
    old_panel = Panel.objects.create(application=bz_app, draw=old, size=1, created_at=clock.now(),
                                     created_by=bz_official, concluded_at=clock.now(), passed=False, summary="旧")
    PanelMember.objects.create(panel=old_panel, expert=earlier, draw=old, status=PanelMember.Status.SUBMITTED)
    expert(bazhong, "已出库", active=False)
    free = [expert(bazhong, f"专家{n}") for n in range(4)]

    panel = services.panel_draw(actor=bz_official, application=bz_app, size=3, at=clock.now())

    record = panel.draw
    assert record.rule_source == "002 第九条(三)"  # the pack's evaluation source
    assert record.subject_type == "registry.application" and record.subject_id == str(bz_app.public_id)
    assert len(record.pool) == 8  # the inactive expert is not in the pool at all
    reasons = _reasons(record)
    assert reasons[str(by_code.public_id)] == "与申请单位为同一单位（统一社会信用代码相同）"
    assert reasons[str(by_name.public_id)] == "与申请单位为同一单位（单位名称相同）"
    assert reasons[str(conflicted.public_id)] == "已申报与申请单位存在利害关系：近亲属任该单位负责人"
    assert reasons[str(earlier.public_id)] == "曾被抽取参加该申请单位的评估"
    assert len(reasons) == 4
    assert set(record.result) <= {str(e.public_id) for e in free}
    assert sorted(m.expert.name for m in panel.members.all()) == sorted(
        e.name for e in free if str(e.public_id) in record.result)
    bz_app.refresh_from_db()
    assert bz_app.status == Application.Status.EVALUATING  # drawing the panel starts the evaluation

    call_command("verify-draw", str(record.public_id))
    assert "1 条记录均可按种子重算" in capsys.readouterr().out


def test_a_tampered_draw_fails_verify_draw_and_the_public_api(
        bz_app: Application, bazhong: Authority, bz_official: User) -> None:
    for n in range(5):
        expert(bazhong, f"专家{n}")
    panel = services.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    record = panel.draw
    outsider = next(c["key"] for c in record.pool if c["key"] not in record.result)

    body = Client().get(f"/api/v1/draws/{record.public_id}").json()  # no login: public
    assert body["verified"] is True and body["recomputed"] == body["result"] == record.result
    assert body["seed"] == record.seed and body["count"] == 2 and len(body["pool"]) == 5
    assert "HMAC-SHA256" in body["algorithm"]

    Draw.objects.filter(pk=record.pk).update(result=[outsider, record.result[1]])
    with pytest.raises(CommandError, match="1/1 条"):
        call_command("verify-draw", str(record.public_id))
    body = Client().get(f"/api/v1/draws/{record.public_id}").json()
    assert body["verified"] is False
    assert body["recomputed"] == record.result and body["result"] != record.result


def test_an_unknown_draw_is_404(db: None) -> None:
    response = Client().get("/api/v1/draws/6f1c1a5e-0000-4000-8000-000000000000")
    assert response.status_code == 404


def test_a_pool_too_small_is_refused_with_the_numbers(
        bz_app: Application, bz_org: Institution, bazhong: Authority, bz_official: User) -> None:
    expert(bazhong, "甲")
    expert(bazhong, "乙", employer=bz_org.name)
    with pytest.raises(DomainError, match="在库专家 2 人，回避排除 1 人，仅余 1 人，少于需抽取的 3 人") as exc:
        services.panel_draw(actor=bz_official, application=bz_app, size=3, at=clock.now())
    assert exc.value.code == "pool_too_small"
    assert not Draw.objects.exists() and not Panel.objects.exists()
    bz_app.refresh_from_db()
    assert bz_app.status == Application.Status.ACCEPTED


def test_a_second_panel_while_one_is_open_is_refused(
        bz_app: Application, bazhong: Authority, bz_official: User) -> None:
    for n in range(6):
        expert(bazhong, f"专家{n}")
    services.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    with pytest.raises(DomainError, match="已抽取专家组"):
        services.panel_draw(actor=bz_official, application=bz_app, size=2, at=clock.now())
    assert Panel.objects.count() == 1


def test_an_official_of_another_authority_cannot_draw(
        bz_app: Application, bazhong: Authority, wh_official: User) -> None:
    expert(bazhong, "甲")
    with pytest.raises(DomainError, match="不由您所在部门"):
        services.panel_draw(actor=wh_official, application=bz_app, size=1, at=clock.now())
