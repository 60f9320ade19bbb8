"""The institution's annual work plan and summary (002 第五条(五): 每年提交年度工作计划和总结)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AnnualReport(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "年度工作计划"
        SUMMARY = "summary", "年度工作总结"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="annual_reports", verbose_name="机构")
    region_code = models.CharField(max_length=6, db_index=True)  # the institution's, for scoping
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    content = models.TextField("内容")
    attachments = models.ManyToManyField("files.StoredFile", blank=True, related_name="+", verbose_name="附件")
    # The deadline in force when it was submitted, and how it was fixed (pack or system default).
    due = models.DateField("报送期限")
    due_source = models.CharField("期限依据", max_length=200)
    late = models.BooleanField("逾期报送", default=False)
    source = models.CharField("依据条款", max_length=100)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = verbose_name_plural = "年度工作计划和总结"
        ordering = ["-year", "kind"]
        constraints = [
            # One plan and one summary per institution and year: the authority reads one text.
            models.UniqueConstraint(fields=["institution", "year", "kind"], name="supervision_one_annual_report"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.year}年{self.get_kind_display()}"
