"""The one clock.

Nothing else in skillreg reads the wall clock (ruff's DTZ rules catch naive datetimes;
``datetime.now`` and ``timezone.now`` outside this module are a review finding).

``SKILLREG_CLOCK_START`` (ISO 8601 with offset) starts the clock at that instant when the
process starts; it then advances normally. Training and demo environments use it so that
deadlines fall where the scenario needs them. Tests freeze or move the clock with
``frozen`` / ``set_now``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_offset = dt.timedelta(0)
_frozen: dt.datetime | None = None


def _real_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def _parse_start(value: str) -> dt.datetime:
    try:
        start = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"SKILLREG_CLOCK_START 不是有效的 ISO 8601 时间：{value!r}"
        ) from exc
    if start.tzinfo is None:
        raise ImproperlyConfigured(
            f"SKILLREG_CLOCK_START 必须带时区，例如 2026-12-18T09:00:00+08:00：{value!r}"
        )
    return start


def configure_from_env() -> None:
    """Read SKILLREG_CLOCK_START once, at process start (called by CoreConfig.ready)."""
    global _offset
    value = os.environ.get("SKILLREG_CLOCK_START", "").strip()
    _offset = _parse_start(value) - _real_now() if value else dt.timedelta(0)


def is_simulated() -> bool:
    return _frozen is not None or _offset != dt.timedelta(0)


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    if _frozen is not None:
        return _frozen
    return _real_now() + _offset


def local_now() -> dt.datetime:
    return now().astimezone(LOCAL_TZ)


def today() -> dt.date:
    """Today's date in China (Asia/Shanghai), the date every deadline is counted from."""
    return local_now().date()


def set_now(instant: dt.datetime | None) -> None:
    """Freeze the clock at ``instant`` (None unfreezes). For tests and the training console."""
    global _frozen
    if instant is not None and instant.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _frozen = instant


@contextlib.contextmanager
def frozen(instant: dt.datetime) -> Iterator[None]:
    previous = _frozen
    set_now(instant)
    try:
        yield
    finally:
        set_now(previous)
