"""One entry point for the rest of the system: ``render(kind, data, fmt)``.

``data`` is either the notice's dataclass or a plain mapping of its fields (dates as
``datetime.date`` or ISO strings, supplement items as mappings), so services and tasks can
hand over what they read from the database without importing the dataclasses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Callable, Mapping
from typing import Any

from skillreg.documents.notices import (
    DocumentKind,
    Notice,
    ResultNoticeFiled,
    ResultNoticeTerminated,
    SupplementItem,
    SupplementNotice,
)
from skillreg.documents.pdf import render_pdf
from skillreg.documents.word import render_docx

NOTICE_CLASSES: dict[DocumentKind, type[Any]] = {
    DocumentKind.RESULT_FILED: ResultNoticeFiled,
    DocumentKind.RESULT_TERMINATED: ResultNoticeTerminated,
    DocumentKind.SUPPLEMENT: SupplementNotice,
}

RENDERERS: dict[str, Callable[[Notice], bytes]] = {"pdf": render_pdf, "docx": render_docx}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _check_format(fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"不支持的文书格式：{fmt!r}（可用：{', '.join(RENDERERS)}）")
    return fmt


def _coerce(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__} 没有这些字段：{', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if (hint is dt.date or dt.date in typing.get_args(hint)) and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        elif name == "items":
            value = tuple(item if isinstance(item, SupplementItem) else SupplementItem(**item) for item in value)
        elif typing.get_origin(hint) is tuple and isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)


def build(kind: DocumentKind | str, data: Notice | Mapping[str, Any]) -> Notice:
    """The notice dataclass of ``kind`` from ``data``; ValueError for an unknown kind or bad data."""
    try:
        cls = NOTICE_CLASSES[DocumentKind(kind)]
    except ValueError:
        raise ValueError(f"未知的文书种类：{kind!r}（可用：{', '.join(DocumentKind.values)}）") from None
    if isinstance(data, cls):
        return typing.cast(Notice, data)
    if isinstance(data, Mapping):
        return typing.cast(Notice, _coerce(cls, data))
    raise ValueError(f"{DocumentKind(kind).label}需要 {cls.__name__} 或字段映射，收到 {type(data).__name__}")


def render(kind: DocumentKind | str, data: Notice | Mapping[str, Any], fmt: str) -> bytes:
    """Render the notice of ``kind`` as ``fmt`` ("pdf" or "docx"); ValueError for anything else."""
    _check_format(fmt)
    return RENDERERS[fmt](build(kind, data))


def content_type(fmt: str) -> str:
    return CONTENT_TYPES[_check_format(fmt)]


def filename(doc: Notice, fmt: str) -> str:
    """``<doc_number>.pdf``: the document number is what the footer asks people to verify."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in doc.doc_number)
    return f"{safe}.{_check_format(fmt)}"
