from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.cache import cache

from skillreg.accounts.models import Authority, Role
from skillreg.conftest import make_user
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Institution

_serial = itertools.count(1000)


def filed(authority: Authority, *, pack_id: str = "bz-2023-special", **kw: Any) -> Institution:
    n = next(_serial)
    return InstitutionFactory(
        authority=authority, region_code=authority.region_code, pack_id=pack_id,
        status=Institution.Status.FILED, code=f"T{authority.region_code}{n}",
        credit_code=make_credit_code(authority.region_code, n), **kw,
    )


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()  # rate-limit counters must not leak between tests


@pytest.fixture
def bz_approver(bazhong: Authority) -> Any:
    return make_user(Role.APPROVING_OFFICIAL, bazhong, username="bz-approver")


@pytest.fixture
def wh_approver(wuhai: Authority) -> Any:
    return make_user(Role.APPROVING_OFFICIAL, wuhai, username="wh-approver")
