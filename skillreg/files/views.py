"""Download of a stored file. Which user may fetch which file is decided by the caller."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, HttpRequest

from skillreg.files.models import StoredFile
from skillreg.files.services import file_open


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 UTF-8 name (RFC 6266 4.3).

    Browsers use ``filename*``, so a Chinese name arrives intact; the fallback keeps the
    extension for the rare client that reads only ``filename``.
    """
    stem, dot, ext = name.rpartition(".")
    fallback_stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_ ") else "_" for c in stem)
    fallback_ext = "".join(c for c in ext if c.isascii() and c.isalnum())
    fallback = f"{fallback_stem or 'download'}.{fallback_ext}" if dot else (fallback_stem or "download")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def serve_stored_file(request: HttpRequest, stored: StoredFile) -> FileResponse:
    """Send ``stored`` as a download under the name it was uploaded with.

    Access control is the caller's job: fetch ``stored`` through the access helper of the
    thing it belongs to (the application, the notice) so that a user who may not see it
    gets 404 before this is called. This function checks nothing.

    The type comes from the sniffed kind, never from the client, and ``nosniff`` stops a
    browser from guessing another; the file is always an attachment, never rendered inline
    in our origin.
    """
    response = FileResponse(file_open(stored), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition(stored.original_name)
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Materials carry personal data: no shared caches.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
