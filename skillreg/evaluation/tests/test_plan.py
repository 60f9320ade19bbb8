"""004 五(二): the evaluation plan, filed at least 10 working days before the evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.accounts.models import Authority, User
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.evaluation import services
from skillreg.evaluation.tests.conftest import expert
from skillreg.registry.models import Application, EvaluationPlan

pytestmark = pytest.mark.django_db

# The clock is frozen at Friday 2026-11-20 (skillreg.conftest.NOW). No holiday falls in the
# following two weeks of the 2026 calendar, so the working days after it are
# 11-23, 24, 25, 26, 27, 30, 12-1, 12-2, 12-3 (9th), 12-4 (10th).
NINTH_WORKDAY = dt.date(2026, 12, 3)   # Thursday: only 9 working days after the filing day
TENTH_WORKDAY = dt.date(2026, 12, 4)   # Friday: 10 working days


def test_a_plan_nine_working_days_ahead_is_refused_with_the_clause(gs_app: Application, lz_official: User) -> None:
    with pytest.raises(DomainError, match=r"须于评估前 10 个工作日报备.*只有 9 个工作日") as exc:
        services.evaluation_plan_file(actor=lz_official, application=gs_app, evaluation_date=NINTH_WORKDAY,
                                      content="评估方案", at=clock.now())
    assert exc.value.source == "004 五(二)"
    assert not EvaluationPlan.objects.exists()


def test_a_plan_ten_working_days_ahead_is_accepted(gs_app: Application, lz_official: User) -> None:
    plan = services.evaluation_plan_file(actor=lz_official, application=gs_app, evaluation_date=TENTH_WORKDAY,
                                         content="按《甘肃省专项职业能力考核项目评估标准》评估", at=clock.now())
    assert plan.evaluation_date == TENTH_WORKDAY and plan.filed_by == lz_official


def test_the_plan_api_refuses_with_the_clause(gs_app: Application, lz_official: User) -> None:
    from skillreg.conftest import login

    client = login(lz_official)
    url = f"/api/v1/evaluation/applications/{gs_app.public_id}/plan"
    response = client.post(url, {"evaluation_date": "2026-12-03", "content": "方案"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["source"] == "004 五(二)" and response.json()["code"] == "plan_too_late"
    response = client.post(url, {"evaluation_date": "2026-12-04", "content": "方案"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["source"] == "004 五(二)"


def test_packs_without_the_clock_set_no_constraint(bz_app: Application, bz_official: User) -> None:
    # bz-2023-special fixes no plan period: the next working day is fine.
    plan = services.evaluation_plan_file(actor=bz_official, application=bz_app,
                                         evaluation_date=dt.date(2026, 11, 23), content="方案", at=clock.now())
    assert plan.evaluation_date == dt.date(2026, 11, 23)
    with pytest.raises(InvalidInput, match="晚于报备日期"):
        services.evaluation_plan_file(actor=bz_official, application=bz_app, evaluation_date=dt.date(2026, 11, 20),
                                      content="方案", at=clock.now())


def test_gs_draw_requires_the_plan_first(gs_app: Application, gs_centre: Authority, gs_centre_staff: User) -> None:
    expert(gs_centre, "甲")
    with pytest.raises(DomainError, match="须先于评估前 10 个工作日报备评估方案") as exc:
        services.panel_draw(actor=gs_centre_staff, application=gs_app, size=1, at=clock.now())
    assert exc.value.source == "004 五(二)"
