from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class SmsMessage:
    """One text message. ``to`` is the full 11-digit mobile number: never log it unmasked."""

    to: str
    body: str
    reference: str = ""  # the notification's public_id, for tracing a message back


class SmsSendError(Exception):
    """A backend could not hand a message to its gateway."""


class BaseSmsBackend:
    """What every SMS backend offers; the same shape as Django's email backends."""

    def __init__(self, *, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> None:
        """Open a connection to the gateway, if the backend keeps one."""

    def close(self) -> None:
        """Close the connection opened by ``open``."""

    def __enter__(self) -> BaseSmsBackend:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        """Send the messages; return how many were accepted. Raise on failure unless silent."""
        raise NotImplementedError("SMS backends must implement send_messages()")
