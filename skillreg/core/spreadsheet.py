"""What every CSV and XLSX export passes its cells through."""

from __future__ import annotations

from typing import Any


def safe_cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (it starts with = + - @: CSV injection) is
    prefixed with an apostrophe, which shows it as typed; anything else is returned as it is."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
