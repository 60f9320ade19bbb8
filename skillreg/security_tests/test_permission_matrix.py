"""The permission matrix (issue 9, Access): every page of the URL configuration and every
operation of /api/v1/openapi.json, for each role in 巴中 and in 乌海 (the demo set's accounts),
the administrator and an anonymous visitor, against ``permission_matrix.MATRIX``.

One test loads the demo set once and asks everything (a few thousand requests), collecting every
difference into one message; see ``access.py`` for what each check catches. A new URL or
operation without a row fails here, naming it.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from skillreg.accounts import scoping
from skillreg.security_tests import access
from skillreg.security_tests.permission_matrix import MATRIX, PARAMS, SOURCES, USERS
from skillreg.web.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings: Any) -> list[access.Route]:
    # Second factor and rate limits are tested on their own; here they would only hide the pages.
    settings.SKILLREG_2FA_ROLES = []
    settings.SKILLREG_VERIFY_RATE_LIMIT = 10**6
    settings.SKILLREG_COMPLAINT_RATE = 10**6
    demo_load()
    schema = Client().get("/api/v1/openapi.json").json()
    return access.page_routes(settings.ROOT_URLCONF) + access.api_routes(schema)


def _check(routes: list[access.Route]) -> access.Report:
    logging.disable(logging.WARNING)  # thousands of request log lines would only slow it down
    try:
        return access.check(routes, MATRIX, PARAMS, SOURCES, access.clients(USERS))
    finally:
        logging.disable(logging.NOTSET)


def test_every_route_answers_every_role_as_the_matrix_says(seeded: list[access.Route]) -> None:
    report = _check(seeded)
    assert not report.failures, f"{len(report.failures)} 处与权限矩阵不符：\n" + "\n".join(report.failures)


def test_a_route_without_a_matrix_row_fails_naming_it() -> None:
    route = access.Route("registry:new_page", "/new/", ())
    report = access.check([route], {}, PARAMS, SOURCES, [])
    assert report.failures and "registry:new_page" in report.failures[0] and "权限矩阵中没有" in report.failures[0]


def test_removing_the_jurisdiction_filter_is_caught(seeded: list[access.Route], monkeypatch: Any) -> None:
    """The check would fail if the protection were removed: scoping that lets every logged-in
    user see everything (what a view without ``scoped``/``get_scoped_or_404`` does) shows up as
    leaked names in the lists and as 200 instead of 404 on the other region's objects."""
    monkeypatch.setattr(scoping, "jurisdiction_q",
                        lambda user, **kw: Q() if user is not None and user.is_authenticated else Q(pk__in=[]))
    keys = {"GET /api/v1/institutions", "GET /api/v1/applications/{public_id}", "registry:worklist"}
    report = access.check([r for r in seeded if r.key in keys], {k: MATRIX[k] for k in keys}, PARAMS, SOURCES,
                          access.clients(USERS))
    text = "\n".join(report.failures)
    assert "GET /api/v1/institutions [bz:filing_official]: GET /api/v1/institutions 显示了无权查看的机构" in text
    assert "registry:worklist [wh:filing_official]: GET /applications/ 显示了无权查看的机构" in text
    assert "GET /api/v1/applications/{public_id} [bz:filing_official]: GET 期望 (200, 404)，实际 200" in text
