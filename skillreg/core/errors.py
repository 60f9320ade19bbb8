"""One domain error type, turned into a clear message by both the pages and the API."""

from __future__ import annotations

import logging
import re


class DomainError(Exception):
    """A rule of the domain refused the action.

    ``code`` is stable for API clients; ``message`` is for people (Simplified Chinese);
    ``source`` names the clause that refuses it, when a policy document does.
    """

    status = 409

    def __init__(self, message: str, *, code: str = "refused", source: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.source = source
        self.field = field
        if code == "forbidden":
            # Who may act is checked before what state the object is in: a refusal for the
            # wrong role or place is a 403, never a 409 that would suggest the state was wrong.
            self.status = 403
            # A permission refusal is a security event wherever it is raised (page, API,
            # task); the request context filter adds who and from where.
            from skillreg.core.logging import security_event

            security_event("permission_refused", level=logging.WARNING, message=message,
                           source=source or "", error_class=type(self).__name__)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.source:
            body["source"] = self.source
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(DomainError):
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid",
                 source: str | None = None) -> None:
        super().__init__(message, code=code, source=source, field=field)


# Control characters other than tab and line breaks: never part of a name, a number or a search,
# and PostgreSQL refuses NUL in text outright (a query with one would fail as a 500).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARS_MESSAGE = "输入内容含有不可见的控制字符，请重新输入"


def refuse_control_chars(value: str | None, *, field: str) -> None:
    if value and CONTROL_CHARS.search(value):
        raise InvalidInput(CONTROL_CHARS_MESSAGE, field=field)


class IllegalTransition(DomainError):
    status = 409

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message, code="illegal_transition", source=source)
