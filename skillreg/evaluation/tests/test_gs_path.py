"""gs-2022-special end to end: accepted → plan → province-pool draw → scores → conclusion → EVALUATED."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from skillreg.accounts.models import Authority, User
from skillreg.audit.models import AuditEvent
from skillreg.audit.services import verify_chain
from skillreg.conftest import login
from skillreg.evaluation.models import PanelMember
from skillreg.evaluation.tests.conftest import expert, expert_user
from skillreg.registry.models import Application

pytestmark = pytest.mark.django_db


def _u(member: PanelMember) -> User:
    """The drawn expert's login (every test expert has one)."""
    assert member.expert.user is not None
    return member.expert.user
GS_METHODS = ["听取报告", "文件审核", "技术抽查", "访谈咨询", "质询答辩", "现场考察"]  # 004 五(三)


def test_the_whole_gs_evaluation(gs_app: Application, lz_official: User, gs_centre_staff: User,
                                 gs_centre: Authority, lanzhou: Authority, capsys) -> None:  # type: ignore[no-untyped-def]
    assert gs_app.status == Application.Status.ACCEPTED
    assert gs_app.authority == lanzhou and gs_app.reviewing_authority == gs_centre  # 004 五(一)
    province_hrss = Authority.objects.get(region_code="620000", kind=Authority.Kind.HRSS)
    # 004 五(三): the province's pool (centre and department) joins the receiving city's.
    for n in range(3):
        expert(gs_centre, f"省专家{n}", user=expert_user(gs_centre, f"gs-expert{n}"))
    expert(province_hrss, "厅专家", user=expert_user(province_hrss, "gs-hrss-expert"))
    expert(lanzhou, "兰州专家", user=expert_user(lanzhou, "lz-expert"))
    wuwei = Authority.objects.create(name="武威市人力资源和社会保障局", region_code="620600", region_name="武威市",
                                     level=Authority.Level.CITY, parent=province_hrss)
    expert(wuwei, "武威专家")  # another city's pool is not drawn from

    city = login(lz_official)
    centre = login(gs_centre_staff)
    app_url = f"/api/v1/evaluation/applications/{gs_app.public_id}"

    # Drawing before the plan is refused with its clause.
    response = centre.post(f"{app_url}/panel", {"size": 3}, content_type="application/json")
    assert response.status_code == 409 and response.json()["source"] == "004 五(二)"

    # 兰州 files the plan: Friday 2026-11-20 → Friday 2026-12-04 is 10 working days (2026 calendar).
    response = city.post(f"{app_url}/plan", {"evaluation_date": "2026-12-04", "content": "评估方案"},
                         content_type="application/json")
    assert response.status_code == 200, response.json()

    # The province centre draws the panel.
    response = centre.post(f"{app_url}/panel", {"size": 3}, content_type="application/json")
    assert response.status_code == 201, response.json()
    panel = response.json()
    draw = Client().get(f"/api/v1/draws/{panel['draw_id']}").json()
    assert draw["verified"] is True and draw["rule_source"] == "004 五(三)"
    assert sorted(c["label"].split("（")[0] for c in draw["pool"]) == sorted(
        ["省专家0", "省专家1", "省专家2", "厅专家", "兰州专家"])
    gs_app.refresh_from_db()
    assert gs_app.status == Application.Status.EVALUATING

    # Each drawn expert scores on the gs methods, independently.
    members = PanelMember.objects.filter(panel__public_id=panel["id"]).select_related("expert__user")
    assert members.count() == 3
    for n, member in enumerate(members):
        client = login(_u(member))
        mine = client.get("/api/v1/evaluation/assignments").json()
        assert [a["institution"] for a in mine] == [gs_app.institution.name]
        assert mine[0]["methods"] == GS_METHODS and mine[0]["evaluation_date"] == "2026-12-04"
        items = [{"method": m, "score": 80 + n} if i % 2 else {"method": m, "passed": True}
                 for i, m in enumerate(GS_METHODS)]
        response = client.post(f"/api/v1/evaluation/assignments/{gs_app.public_id}/score",
                               {"items": items, "passed": True, "opinion": "同意备案"},
                               content_type="application/json")
        assert response.status_code == 201, response.json()
        if n == 0:
            # The conclusion waits for everyone.
            response = centre.post(f"{app_url}/panel/conclude", {"passed": True, "summary": "合格"},
                                   content_type="application/json")
            assert response.status_code == 409 and "未提交评分" in response.json()["message"]

    response = centre.post(f"{app_url}/panel/conclude", {"passed": True, "summary": "专家评议组一致认为合格"},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["passed"] is True
    gs_app.refresh_from_db()
    assert gs_app.status == Application.Status.EVALUATED and gs_app.evaluated_at is not None

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"application.evaluation_plan_filed", "draws.performed", "evaluation.panel_drawn",
            "application.evaluation_started", "evaluation.score_submitted", "evaluation.panel_concluded",
            "application.evaluation_concluded"} <= actions
    assert verify_chain().ok
    call_command("verify-draw")
    assert "1 条记录均可按种子重算" in capsys.readouterr().out
    assert dt.date(2026, 12, 4) == gs_app.evaluation_plan.evaluation_date
