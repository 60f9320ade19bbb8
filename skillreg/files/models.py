from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from skillreg.files.sniff import FileKind


class StoredFile(models.Model):
    """One upload: who sent which content under which name, and when.

    The bytes live once per content in storage at a path derived from ``sha256``
    (``storage_name``), so two uploads of the same file are two rows sharing one stored
    object. Rows are never updated; whatever holds a file (an application's materials, a
    notice) points at the row, which keeps the name the uploader gave it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    kind = models.CharField("格式", max_length=10, choices=FileKind.choices)
    original_name = models.CharField("原文件名", max_length=255)
    storage_name = models.CharField("存储位置", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_files",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "上传文件"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="files_sha256_is_lower_hex"),
            # An empty upload is refused before it is stored.
            models.CheckConstraint(condition=models.Q(size__gt=0), name="files_size_positive"),
            models.CheckConstraint(condition=models.Q(kind__in=FileKind.values), name="files_kind_known"),
            # Sanitised names never carry a directory part (services._clean_name).
            models.CheckConstraint(
                condition=~models.Q(original_name="") & ~models.Q(original_name__contains="/")
                & ~models.Q(original_name__contains="\\"),
                name="files_original_name_is_basename",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def file_kind(self) -> FileKind:
        return FileKind(self.kind)

    @property
    def content_type(self) -> str:
        return self.file_kind.content_type
