"""Structured logs: one JSON object per line, with the request id, and nothing personal.

``settings.LOGGING`` attaches both filters to every handler, so a record from any logger
(ours, Django's, a library's) is masked before it is written:

* ``SensitiveDataFilter`` masks 18-character 身份证 numbers (first 6 + last 4, the way
  every list shows them) in the message, its arguments, extra fields (objects as the text
  they would be written as) and tracebacks, and
  drops any extra field whose name says password, secret, token or OTP code.
* ``RequestContextFilter`` adds the request id, user id and client address that
  ``RequestIdMiddleware`` put in context variables.

Structured fields go through ``extra=``; ``security_event`` is the short form for the
security log (``skillreg.security``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
from typing import Any

from skillreg.core.clock import LOCAL_TZ

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("skillreg_request_id", default="")
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("skillreg_user_id", default=None)
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("skillreg_client_ip", default="")

security_log = logging.getLogger("skillreg.security")

# GB 11643: 17 digits and a digit or X. Not part of a longer run of letters or digits, so
# that hashes, tokens and 19-digit numbers are left alone.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# "password=..." / "password: ..." in free text, e.g. a logged query string or form dump.
SECRET_IN_TEXT_RE = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|otp)(\W{0,3}[=:]\W{0,3})([^\s&,;'\"}]+)"
)
SECRET_FIELD_RE = re.compile(r"(?i)(pass(word|wd)?|pwd|secret|token|otp|credential|authorization|cookie)")
REMOVED = "[已移除]"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("n", 0, "p", 0, "m", None, None))) | {
    "message", "asctime", "request_id", "user_id", "client_ip",
}


def mask_text(text: str) -> str:
    text = ID_NUMBER_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)
    return SECRET_IN_TEXT_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REMOVED}", text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: (REMOVED if SECRET_FIELD_RE.search(str(k)) else _mask_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Any other object is written as its str() (JsonFormatter's default=str); Django's
    # django.request warnings carry the request, whose str() has the full query string.
    return mask_text(str(value))


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


class SensitiveDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still gets logged, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_text(message), None
        for key, value in extra_fields(record).items():
            setattr(record, key, REMOVED if SECRET_FIELD_RE.search(key) else _mask_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
            record.exc_info = None  # the masked text replaces the raw traceback
        return True


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.client_ip = client_ip_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra fields}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        # Wall time, not the project clock: operators correlate logs with other systems.
        created = dt.datetime.fromtimestamp(record.created, tz=LOCAL_TZ)
        entry: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "client_ip"):
            value = getattr(record, key, None)
            if value not in (None, ""):
                entry[key] = value
        entry.update(extra_fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def security_event(event: str, *, level: int = logging.INFO, message: str = "", **fields: Any) -> None:
    """One line in the security log: ``event`` names what happened, ``fields`` say to whom.

    Never pass a password or an ID number; the filters would catch them, but the caller
    should not rely on that.
    """
    security_log.log(level, message or event, extra={"event": event, **fields})
