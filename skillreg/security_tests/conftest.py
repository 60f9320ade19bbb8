from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _account_pages_mounted(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "skillreg.security_tests.urls"
