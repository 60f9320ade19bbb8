"""Shared pieces of the security tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from skillreg.core.logging import SensitiveDataFilter


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(SensitiveDataFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def events(self, name: str) -> list[logging.LogRecord]:
        return [r for r in self.records if getattr(r, "event", None) == name]


@contextmanager
def security_log() -> Iterator[ListHandler]:
    """The records the security log receives while the block runs."""
    handler = ListHandler()
    logger = logging.getLogger("skillreg.security")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
