from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class RosterImport(models.Model):
    """A roster (.xlsx) being checked and, once the user accepts it, written in one transaction.

    ``errors`` lists every bad row: ``{"row", "column", "reason"}`` (row as in Excel, the
    header is row 1). Nothing is written before ``accept``; the commit writes all good rows
    or none of them.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        VALIDATING = "validating", "正在校验"
        VALIDATED = "validated", "校验完成，待确认"
        COMMITTING = "committing", "正在导入"
        COMMITTED = "committed", "已导入"
        DISCARDED = "discarded", "已放弃"
        FAILED = "failed", "失败"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.CASCADE, related_name="roster_imports")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    good_rows = models.PositiveIntegerField("合格行数", default=0)
    bad_rows = models.PositiveIntegerField("问题行数", default=0)
    errors = models.JSONField("问题清单", default=list)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    committed_at = models.DateTimeField(null=True, blank=True)
    imported_rows = models.PositiveIntegerField("导入人数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "名册导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"名册导入 {self.public_id}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.VALIDATED, self.Status.COMMITTED):
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
