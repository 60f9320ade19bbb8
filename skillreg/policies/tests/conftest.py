from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from skillreg.policies.loader import PackRegistry, load_packs

PACK_DIR = Path(settings.SKILLREG_PACK_DIR)
PACK_IDS = [
    "nm-2020-special",
    "sc-2021-appraisal",
    "bz-2023-special",
    "nm-2021-skill-level",
    "gs-2022-special",
]


@pytest.fixture(scope="session")
def packs() -> PackRegistry:
    return load_packs(PACK_DIR)


@pytest.fixture
def pack_data():
    """A fresh, valid pack as plain data, to break in one place."""

    def load(pack_id: str = "gs-2022-special") -> dict:
        return yaml.safe_load((PACK_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8"))

    return load


@pytest.fixture
def write_pack(tmp_path):
    def write(data: dict | str, name: str = "broken.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
