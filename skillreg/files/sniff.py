"""What a file is, judged by its bytes, never by its name or the browser's Content-Type.

Issue 3: "Files are checked by content (PDF, JPEG, PNG, OFD, DOCX, XLSX)". The single-
signature formats are recognised from their magic bytes. The ZIP-based ones (OFD per
GB/T 33190, DOCX and XLSX per ECMA-376) all start with ``PK\\x03\\x04``, so they are told
apart by the member names in the archive's central directory, read with the standard
``zipfile`` module. Nothing is ever decompressed here, so a ZIP bomb costs us only its
directory; it is still refused (``UnsafeArchive``) so that no later consumer of the
stored file (a reviewer's viewer, a DOCX parser) inflates it.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.db import models

from skillreg.core.errors import InvalidInput

MB = 1024 * 1024

# How much of the start of a file the magic-byte checks need (the longest is PNG's 8).
HEAD_BYTES = 64

# An OOXML document has a few dozen members and an OFD a few hundred at most; thousands of
# members means either a malformed archive or one built to exhaust whoever opens it.
ZIP_MAX_MEMBERS = 2000
# Declared uncompressed size of all members together. A 20 MB upload of legitimate office
# XML and images stays well under this; deflate can reach ~1000:1, a bomb goes far over it.
ZIP_MAX_UNCOMPRESSED = 200 * MB


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    OFD = "ofd", "OFD"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]

    @property
    def extensions(self) -> tuple[str, ...]:
        """Accepted file-name extensions, lower case with the dot; the first is canonical."""
        return _EXTENSIONS[self]

    @property
    def description(self) -> str:
        """How a refusal message names the content ("内容是 PNG 图片")."""
        return _DESCRIPTIONS[self]


_CONTENT_TYPES: dict[str, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.OFD: "application/ofd",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    FileKind.PDF: (".pdf",),
    FileKind.JPEG: (".jpg", ".jpeg"),
    FileKind.PNG: (".png",),
    FileKind.OFD: (".ofd",),
    FileKind.DOCX: (".docx",),
    FileKind.XLSX: (".xlsx",),
}
_DESCRIPTIONS: dict[str, str] = {
    FileKind.PDF: "PDF 文档",
    FileKind.JPEG: "JPEG 图片",
    FileKind.PNG: "PNG 图片",
    FileKind.OFD: "OFD 版式文档",
    FileKind.DOCX: "Word 文档（DOCX）",
    FileKind.XLSX: "Excel 表格（XLSX）",
}

ALL_KINDS: frozenset[FileKind] = frozenset(FileKind)

_MAGIC: tuple[tuple[bytes, FileKind], ...] = (
    (b"%PDF-", FileKind.PDF),
    (b"\xff\xd8\xff", FileKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
)

# Formats we can name but do not accept, so a refusal says what the file actually is.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "Windows 可执行程序（EXE/DLL）"),
    (b"\x7fELF", "可执行程序（ELF）"),
    (b"\xca\xfe\xba\xbe", "可执行程序（Mach-O/Java class）"),
    (b"\xcf\xfa\xed\xfe", "可执行程序（Mach-O）"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（.doc/.xls/.ppt，请另存为 DOCX 或 XLSX）"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"{\\rtf", "RTF 文档"),
    (b"#!", "脚本文件"),
)

_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"


class UnsafeArchive(InvalidInput):
    """A ZIP-based upload whose directory promises more than anyone should unpack."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unsafe_archive")


@dataclass(frozen=True)
class Sniffed:
    """The verdict on some bytes: an accepted kind, or ``None`` and what it looks like."""

    kind: FileKind | None
    description: str


Source = bytes | bytearray | memoryview | IO[bytes]


def detect(source: Source) -> FileKind | None:
    """The accepted kind ``source`` holds, or None.

    ``source`` is either the whole content as bytes or a seekable binary file (its position
    is restored). A ZIP-based format needs the whole file: its directory is at the end.
    Raises ``UnsafeArchive`` for a ZIP whose member count or uncompressed size is absurd.
    """
    return identify(source).kind


def identify(source: Source) -> Sniffed:
    """Like ``detect``, plus a Chinese description of what was found, for refusals."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return _identify(data[:HEAD_BYTES], lambda: io.BytesIO(data))
    start = source.tell()
    try:
        head = source.read(HEAD_BYTES)
        source.seek(start)
        return _identify(head, lambda: source)
    finally:
        source.seek(start)


def accepted_list(kinds: Iterable[FileKind]) -> str:
    """"PDF、JPEG、PNG", in FileKind's order."""
    wanted = set(kinds)
    return "、".join(k.label for k in FileKind if k in wanted)


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def check(source: Source, *, name: str, allowed_kinds: Iterable[FileKind] = ALL_KINDS,
          field: str | None = None) -> FileKind:
    """The kind of an upload, or ``InvalidInput`` saying what it is and what is accepted.

    The extension of ``name`` must agree with the content: a PNG named ``.pdf`` is refused
    so that whoever downloads it later is not misled about what they are opening.
    """
    allowed = frozenset(allowed_kinds)
    accepted = accepted_list(allowed)
    try:
        found = identify(source)
    except InvalidInput as exc:
        exc.field = exc.field or field
        raise
    kind = found.kind
    if kind is None:
        raise InvalidInput(
            f"文件“{name}”的内容是{found.description}，不是可接受的格式。可接受的格式：{accepted}。",
            field=field, code="file_kind_unknown",
        )
    if kind not in allowed:
        raise InvalidInput(
            f"文件“{name}”的内容是{kind.description}，此处只接受：{accepted}。",
            field=field, code="file_kind_not_allowed",
        )
    ext = extension_of(name)
    if ext not in kind.extensions:
        expected = "或".join(kind.extensions)
        shown = f"扩展名为 {ext}" if ext else "没有扩展名"
        raise InvalidInput(
            f"文件“{name}”{shown}，但内容是{kind.description}，两者不符。"
            f"请确认文件无误后以 {expected} 扩展名重新上传。",
            field=field, code="file_extension_mismatch",
        )
    return kind


def _identify(head: bytes, open_whole: Callable[[], IO[bytes]]) -> Sniffed:
    if not head:
        return Sniffed(None, "空文件")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return Sniffed(kind, kind.description)
    if head.startswith(_ZIP_MAGIC):
        return _identify_zip(open_whole())
    if head.startswith(_ZIP_EMPTY):
        return Sniffed(None, "空的 ZIP 压缩包")
    for magic, description in _KNOWN_OTHERS:
        if head.startswith(magic):
            return Sniffed(None, description)
    return Sniffed(None, _describe_text(head))


def _identify_zip(fileobj: IO[bytes]) -> Sniffed:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            _refuse_bombs(members)
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return Sniffed(None, "损坏的 ZIP 压缩包")
    # GB/T 33190 7.3: the entry file OFD.xml sits at the package root.
    if "OFD.xml" in names:
        return Sniffed(FileKind.OFD, FileKind.OFD.description)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return Sniffed(FileKind.DOCX, FileKind.DOCX.description)
        if "xl/workbook.xml" in names:
            return Sniffed(FileKind.XLSX, FileKind.XLSX.description)
        if "ppt/presentation.xml" in names:
            return Sniffed(None, "PowerPoint 演示文稿（PPTX）")
        return Sniffed(None, "无法识别的 Office Open XML 文档")
    if "mimetype" in names and "content.xml" in names:
        return Sniffed(None, "OpenDocument 文档（ODT/ODS，请另存为 DOCX 或 XLSX）")
    return Sniffed(None, "普通 ZIP 压缩包")


def _refuse_bombs(members: list[zipfile.ZipInfo]) -> None:
    # The declared sizes are what zipfile will inflate to at most (ZipExtFile stops at
    # file_size), so checking them bounds the cost for any Python consumer.
    if len(members) > ZIP_MAX_MEMBERS:
        raise UnsafeArchive(
            f"压缩包内有 {len(members)} 个文件，超过 {ZIP_MAX_MEMBERS} 个的上限，已拒绝（疑似压缩炸弹）。"
        )
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise UnsafeArchive(
            f"压缩包解压后共 {format_size(total)}，超过 {format_size(ZIP_MAX_UNCOMPRESSED)} 的上限，"
            "已拒绝（疑似压缩炸弹）。"
        )


def _describe_text(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "HTML 网页"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<svg"):
        return "XML/SVG 文本"
    if any(b < 0x09 or (0x0E <= b < 0x20 and b != 0x1B) for b in head):
        return "无法识别的二进制数据"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            # Only the first HEAD_BYTES were read; a character cut in two there is still text.
            if len(head) == HEAD_BYTES and exc.end == len(head) and exc.start >= len(head) - 3:
                return "纯文本"
            continue
        return "纯文本"
    return "无法识别的二进制数据"


def format_size(n: int) -> str:
    """Sizes as people read them in limits: "20 MB", "512 KB", "1000 字节"."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} 字节"
