"""Two issuing bodies (nm-2021 职业技能等级, bz-2023 专项), their users, and approved sittings.

The exams app (another engineer's) has no sittings yet. ``approved_sitting`` stands in for it
at the one seam the contract names (approval._exams_hook → ``sitting_results_approved``),
so the issuing service runs whole; the refusal tests use the real lookup with no stand-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from stdnum.cn import ric

from skillreg.accounts.models import Authority, Role, User
from skillreg.certificates import approval
from skillreg.certificates.models import Certificate
from skillreg.certificates.services import Holder, certificates_issue
from skillreg.conftest import NOW, make_user
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import BodyKind, Institution, InstitutionScope

NM_CODE = "S000015000007"  # S + 0000 (province-filed) + 15 (内蒙古) + 000007


def make_id(region: str = "150302", birth: str = "19900101", seq: int = 123) -> str:
    """A valid 18-character 居民身份证号码 (GB 11643 check digit)."""
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 characters


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    # The rate-limit counters live in the (process-wide) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nm_body(wuhai: Authority) -> Institution:
    inst = InstitutionFactory(name="乌海市技能评价服务中心", authority=wuhai, region_code="150302",
                              pack_id="nm-2021-skill-level", body_kind=BodyKind.SOCIAL_BODY,
                              status=Institution.Status.FILED, code=NM_CODE)
    for level in (5, 4, 3):
        InstitutionScope.objects.create(institution=inst, name="电工", level=level)
    return inst


@pytest.fixture
def bz_body(bazhong: Authority) -> Institution:
    inst = InstitutionFactory(name="巴中市职业技能评价中心", authority=bazhong, pack_id="bz-2023-special",
                              status=Institution.Status.FILED, code="ZX51190020260001")
    InstitutionScope.objects.create(institution=inst, name="中式面点制作")
    return inst


@pytest.fixture
def nm_user(nm_body: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, institution=nm_body, username="nm-body")


@pytest.fixture
def bz_user(bz_body: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, institution=bz_body, username="bz-body")


@dataclass(frozen=True)
class Sitting:
    """What the exams app will own; here only an id and when its results were approved."""

    public_id: str
    approved_at: dt.datetime | None


@pytest.fixture
def exams_approvals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for skillreg.exams.services.sitting_results_approved (see approval.py)."""
    real = approval._exams_hook

    def hook(name: str) -> Callable[..., Any] | None:
        if name == "sitting_results_approved":
            return lambda sitting: sitting.approved_at
        return real(name)

    monkeypatch.setattr(approval, "_exams_hook", hook)


@pytest.fixture
def approved_sitting(exams_approvals: None) -> Sitting:
    return Sitting("KS-2026-0001", NOW - dt.timedelta(days=10))


@pytest.fixture
def issue(approved_sitting: Sitting) -> Callable[..., list[Certificate]]:
    def _issue(actor: User, *, holders: list[tuple[str, str]], occupation: str = "电工", level: int | None = 5,
               at: dt.datetime = NOW, sitting: Any = approved_sitting) -> list[Certificate]:
        return certificates_issue(actor=actor, institution=actor.institution, sitting=sitting,
                                  occupation=occupation, level=level, at=at,
                                  holders=[Holder(name, id_number) for name, id_number in holders])
    return _issue
