from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from skillreg.core import clock

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/", "/login/", "/api/v1/docs"])
def test_pages_load_nothing_from_outside_the_application(path: str) -> None:
    # Government intranets have no internet: every script, style and icon is ours.
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


def test_the_openapi_schema_is_served() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/auth/token" in schema["paths"]


def test_pages_are_in_simplified_chinese() -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "职业技能考核评价机构备案与监管平台" in html


def test_the_header_shows_a_simulated_clock() -> None:
    # conftest freezes the clock, which is what a training environment does.
    html = Client().get("/").content.decode()
    assert "模拟时间 2026年11月20日 10:00" in html


def test_clock_start_from_the_environment_runs_from_that_instant(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLREG_CLOCK_START", "2026-12-18T09:00:00+08:00")
    clock.set_now(None)
    try:
        clock.configure_from_env()
        local = clock.local_now()
        assert local.date() == dt.date(2026, 12, 18)
        assert (local.hour, local.minute) == (9, 0)
        assert clock.is_simulated()
    finally:
        monkeypatch.delenv("SKILLREG_CLOCK_START")
        clock.configure_from_env()


def test_a_clock_start_without_a_time_zone_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLREG_CLOCK_START", "2026-12-18T09:00:00")
    try:
        with pytest.raises(ImproperlyConfigured, match="必须带时区"):
            clock.configure_from_env()
    finally:
        monkeypatch.delenv("SKILLREG_CLOCK_START")
        clock.configure_from_env()
