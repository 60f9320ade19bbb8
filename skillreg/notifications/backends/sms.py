"""The SMS backends that need no provider: console (default), file, and in-memory for tests."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from skillreg.core import clock
from skillreg.notifications.backends.base import BaseSmsBackend, SmsMessage
from skillreg.notifications.masking import mask_number

# LocmemSmsBackend appends here, like django.core.mail.outbox; tests empty it.
outbox: list[SmsMessage] = []


class ConsoleSmsBackend(BaseSmsBackend):
    """Print each message to stdout. The number is masked: stdout usually ends up in a log."""

    def __init__(self, *, stream: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"[短信] 至 {mask_number(message.to)}：{message.body}\n")
                self.stream.write("-" * 60 + "\n")
            self.stream.flush()
        return len(messages)


class FileSmsBackend(BaseSmsBackend):
    """Append one JSON line per message to ``<dir>/sms-YYYYMMDD.jsonl`` (China date).

    The directory is ``file_path`` or ``SKILLREG_SMS_FILE_PATH`` (default ``VAR_DIR/sms``).
    The number is stored masked: the file is a record of what left, not a spool to resend.
    """

    def __init__(self, *, file_path: str | Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        configured = file_path or getattr(settings, "SKILLREG_SMS_FILE_PATH", None)
        if configured is None:
            configured = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "sms"
        self.directory = Path(configured)
        if self.directory.exists() and not self.directory.is_dir():
            raise ImproperlyConfigured(f"SKILLREG_SMS_FILE_PATH 不是目录：{self.directory}")
        self._lock = threading.RLock()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        if not messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        now = clock.now()
        path = self.directory / f"sms-{now.astimezone(clock.LOCAL_TZ):%Y%m%d}.jsonl"
        lines = [
            json.dumps({"at": now.isoformat(), "to": mask_number(m.to), "body": m.body,
                        "reference": m.reference}, ensure_ascii=False)
            for m in messages
        ]
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    """Keep messages in ``skillreg.notifications.backends.sms.outbox`` (tests only)."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)
