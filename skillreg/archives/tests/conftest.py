from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from skillreg.accounts.models import Authority
from skillreg.archives.sheets_io import parse_sheets
from skillreg.archives.similarity import Sheet
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution

# ../shared/data/ next to the checkout (see the issue and shared/data/README.md).
REAL_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "cizek-wollack-form2.csv"


@cache
def real_sheets() -> tuple[Sheet, ...]:
    """The 1,607 real examinees of Cizek & Wollack's form 2 (see shared/data/README.md)."""
    _items, sheets = parse_sheets(REAL_DATA.read_bytes())
    return tuple(sheets)


@pytest.fixture
def immediate_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def nm_institution(wuhai: Authority) -> Institution:
    # nm-2020-special: 000 三(三)8 fixes the 1/3 rule.
    return InstitutionFactory(  # type: ignore[return-value]
        name="乌海市某专项职业能力考核机构", authority=wuhai, region_code="150302", pack_id="nm-2020-special")


@pytest.fixture
def bz_institution(bazhong: Authority) -> Institution:
    return InstitutionFactory(  # type: ignore[return-value]
        name="巴中市某专项职业能力考核机构", authority=bazhong, region_code="511902", pack_id="bz-2023-special")
