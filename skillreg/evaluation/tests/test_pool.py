"""The expert pool services: who may add, take out and declare conflicts."""

from __future__ import annotations

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.evaluation import services
from skillreg.evaluation.models import Expert
from skillreg.evaluation.tests.conftest import expert
from skillreg.registry.models import Institution

pytestmark = pytest.mark.django_db


def test_an_official_adds_to_their_own_pool_only(bazhong: Authority, wuhai: Authority, bz_official: User) -> None:
    added = services.expert_add(actor=bz_official, name="刘专家", employer="巴中市职业技术学院",
                                region_code="511902", specialties=["家政服务"], at=clock.now())
    assert added.authority == bazhong and added.active
    with pytest.raises(DomainError, match="本部门的工作人员"):
        services.expert_add(actor=bz_official, authority=wuhai, name="乌海专家", employer="某单位",
                            region_code="150300", at=clock.now())
    with pytest.raises(InvalidInput, match="评估专家"):
        services.expert_add(actor=bz_official, name="甲", employer="乙", region_code="511900",
                            user=bz_official, at=clock.now())


def test_a_deactivated_expert_leaves_the_pool(bazhong: Authority, bz_official: User, wh_official: User) -> None:
    one = expert(bazhong, "甲")
    with pytest.raises(DomainError):
        services.expert_deactivate(actor=wh_official, expert=one, at=clock.now())
    services.expert_deactivate(actor=bz_official, expert=one, at=clock.now())
    one.refresh_from_db()
    assert not one.active and one.deactivated_at == clock.now()
    with pytest.raises(DomainError, match="已不在库"):
        services.expert_deactivate(actor=bz_official, expert=one, at=clock.now())


def test_conflicts_are_declared_once_by_officials_or_the_expert(bazhong: Authority, bz_official: User,
                                                                bz_org: Institution) -> None:
    user = make_user(Role.EXPERT, bazhong, username="self-declaring")
    one = expert(bazhong, "甲", user=user)
    services.conflict_declare(actor=user, expert=one, institution=bz_org, reason="曾在该单位兼职", at=clock.now())
    with pytest.raises(DomainError, match="已申报"):
        services.conflict_declare(actor=bz_official, expert=one, institution=bz_org, reason="重复", at=clock.now())


def test_the_api_lists_and_adds_experts(bazhong: Authority, bz_official: User) -> None:
    client = login(bz_official)
    response = client.post("/api/v1/evaluation/experts", {"name": "陈专家", "employer": "巴中某企业",
                                                          "region_code": "511900"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["authority"] == bazhong.name
    assert [e["name"] for e in client.get("/api/v1/evaluation/experts").json()] == ["陈专家"]
    response = client.post("/api/v1/evaluation/experts", {"name": "", "employer": "x", "region_code": "1"},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "name"
    assert Expert.objects.count() == 1
