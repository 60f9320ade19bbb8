"""A file field for page forms that refuses what ``file_store`` would refuse, next to the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from skillreg.core.errors import InvalidInput
from skillreg.files.services import upload_check, upload_max_bytes
from skillreg.files.sniff import ALL_KINDS, FileKind


class ValidatedFileField(forms.FileField):
    """``forms.FileField`` plus the content, size and extension checks of ``file_store``.

    A refusal becomes this field's error, so the rest of the form re-renders with the
    values the user typed (a browser never re-fills a file input; the user picks the file
    again). The view still stores the file through ``file_store``, which checks again.
    ``cleaned_data[name].skillreg_kind`` holds the detected ``FileKind``.
    """

    def __init__(self, *, allowed_kinds: Iterable[FileKind] = ALL_KINDS, max_bytes: int | None = None,
                 **kwargs: Any) -> None:
        self.allowed_kinds = frozenset(allowed_kinds)
        self._max_bytes = max_bytes
        super().__init__(**kwargs)
        accept = ",".join(ext for kind in FileKind if kind in self.allowed_kinds for ext in kind.extensions)
        self.widget.attrs.setdefault("accept", accept)

    @property
    def max_bytes(self) -> int:
        # Read at validation time, so a changed setting applies without a restart of the form class.
        return upload_max_bytes() if self._max_bytes is None else self._max_bytes

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            try:
                kind = upload_check(value, allowed_kinds=self.allowed_kinds, max_bytes=self.max_bytes)
            except InvalidInput as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            value.skillreg_kind = kind  # type: ignore[attr-defined]
        return value
