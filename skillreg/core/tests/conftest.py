"""A certificate and a directory entry to look up, made directly (the public lookups read rows only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from skillreg.accounts.models import Authority, Role
from skillreg.certificates.models import Certificate
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import NOW, make_user
from skillreg.registry.directory import publish
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution

ID_NUMBER = make_id("150302", "19880315", 41)


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    cache.clear()  # the rate-limit counters live in the process-wide cache
    yield
    cache.clear()


@pytest.fixture
def body(wuhai: Authority) -> Institution:
    inst = InstitutionFactory(name="乌海市电工技能评价服务中心", authority=wuhai, region_code="150302",
                              status=Institution.Status.FILED, code="S1500000000001")
    publish(institution=inst, actor=None, at=NOW)
    return inst


@pytest.fixture
def certificate(body: Institution) -> Certificate:
    issuer = make_user(Role.INSTITUTION_USER, None, institution=body, username="wh-body")
    return Certificate.objects.create(
        number="S150302202600001", kind="special", institution=body, issuer_name=body.name,
        region_code="150302", pack_id=body.pack_id, holder_name="张伟", id_number=ID_NUMBER,
        occupation="电工", level=None, issued_on=NOW.date(), issued_at=NOW, issued_by=issuer,
        serial=1, sequence_scope="core-tests")
