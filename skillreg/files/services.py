"""Storing uploads: checked by content, size-limited, kept once per content hash (issue 3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import InvalidInput
from skillreg.files import sniff
from skillreg.files.models import StoredFile
from skillreg.files.sniff import ALL_KINDS, FileKind

DEFAULT_MAX_BYTES = 20 * sniff.MB

# Characters Windows refuses in names, plus both path separators: a downloaded name must
# be usable as-is on the applicant's and the reviewer's machines.
_FORBIDDEN_IN_NAME = set('<>:"/\\|?*')
_MAX_NAME_CHARS = 200


def upload_max_bytes() -> int:
    """The per-file limit: ``SKILLREG_UPLOAD_MAX_BYTES``, 20 MB unless set."""
    return int(getattr(settings, "SKILLREG_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_name(name: str) -> str:
    """The upload's name without any directory part, control or reserved characters.

    Browsers send only the base name, but a client may send ``..\\..\\x.pdf`` or
    ``C:\\fakepath\\x.pdf``; the name is shown to reviewers and sent back in downloads, so
    it must not carry a path.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c for c in name
        if c not in _FORBIDDEN_IN_NAME and not unicodedata.category(c).startswith("C")
    )
    name = name.strip().strip(".").strip()
    if len(name) > _MAX_NAME_CHARS:
        stem, ext = os.path.splitext(name)
        name = stem[: _MAX_NAME_CHARS - len(ext)] + ext
    return name


def upload_check(upload: UploadedFile, *, allowed_kinds: Iterable[FileKind] = ALL_KINDS,
                 max_bytes: int | None = None, field: str | None = None) -> FileKind:
    """Refuse an upload that is empty, too large, of a kind not accepted, or misnamed.

    Reads only the file's head (and a ZIP's directory); the size comes from the upload
    handler, so a too-large file is refused without reading it. Used by ``file_store`` and
    by ``ValidatedFileField`` so a page and the API refuse the same files the same way.
    """
    limit = upload_max_bytes() if max_bytes is None else max_bytes
    name = clean_name(upload.name or "")
    shown = name or "（未命名）"
    size = upload.size or 0
    if size > limit:
        raise InvalidInput(
            f"文件“{shown}”为 {sniff.format_size(size)}，文件超过 {sniff.format_size(limit)} 上限。",
            field=field, code="file_too_large",
        )
    if size == 0:
        raise InvalidInput(f"文件“{shown}”是空文件。", field=field, code="file_empty")
    if not name:
        raise InvalidInput("上传的文件没有可用的文件名。", field=field, code="file_name_missing")
    return sniff.check(upload, name=name, allowed_kinds=allowed_kinds, field=field)


def _storage_name(digest: str, kind: FileKind) -> str:
    # Content-addressed: the same bytes always land on the same name, two levels of
    # fan-out keep directories small. The extension is the kind's canonical one.
    return f"files/sha256/{digest[:2]}/{digest[2:4]}/{digest}{kind.extensions[0]}"


def _hash_chunks(upload: UploadedFile, *, limit: int, field: str | None) -> tuple[str, int]:
    hasher = hashlib.sha256()
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            # The declared size was wrong; never trust it further than the bytes.
            raise InvalidInput(f"文件超过 {sniff.format_size(limit)} 上限。", field=field,
                               code="file_too_large")
        hasher.update(chunk)
    upload.seek(0)
    return hasher.hexdigest(), total


def _put(name: str, upload: UploadedFile, size: int) -> bool:
    """Save the content under ``name`` unless it is already there; True when newly written."""
    if default_storage.exists(name):
        if default_storage.size(name) == size:
            return False
        # A partial write from a crash; the hash says what belongs here, so replace it.
        default_storage.delete(name)
    saved = default_storage.save(name, upload)
    if saved != name:
        # A concurrent upload of the same content won the race; its bytes are ours too.
        default_storage.delete(saved)
        return False
    return True


@transaction.atomic
def file_store(*, actor: Any, upload: UploadedFile, allowed_kinds: Iterable[FileKind] = ALL_KINDS,
               max_bytes: int | None = None, at: dt.datetime, field: str | None = "file") -> StoredFile:
    """Check ``upload`` by content and keep it; a new record per upload, one copy per content.

    Raises ``InvalidInput`` (with ``field``) saying why a file is refused. Bytes written to
    storage are not removed if the transaction later rolls back; being content-addressed,
    a leftover is at worst an unreferenced copy that the next identical upload reuses.
    """
    limit = upload_max_bytes() if max_bytes is None else max_bytes
    kind = upload_check(upload, allowed_kinds=allowed_kinds, max_bytes=limit, field=field)
    digest, size = _hash_chunks(upload, limit=limit, field=field)
    if size == 0:
        raise InvalidInput("上传的文件是空文件。", field=field, code="file_empty")
    name = _storage_name(digest, kind)
    written = _put(name, upload, size)
    stored = StoredFile.objects.create(
        sha256=digest, size=size, kind=kind, original_name=clean_name(upload.name or ""),
        storage_name=name, uploaded_by=actor, uploaded_at=at,
    )
    audit.record(
        actor=actor, action="files.stored", obj=stored, at=at,
        summary=f"上传文件 {stored.original_name}",
        after={"sha256": digest, "size": size, "kind": kind.value,
               "original_name": stored.original_name, "storage_name": name,
               "deduplicated": not written},
    )
    return stored


def file_open(stored: StoredFile) -> IO[bytes]:
    """The stored bytes, opened for reading; the caller closes it (FileResponse does)."""
    return default_storage.open(stored.storage_name, "rb")
