from __future__ import annotations

from django.conf import settings
from django.db import models


class Filing(models.Model):
    """A filing decision: the code, the validity, the application it came from."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="filings")
    application = models.OneToOneField("registry.Application", on_delete=models.PROTECT, related_name="filing")
    code = models.CharField("机构代码", max_length=40)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)  # None: the pack fixes no validity
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "备案"
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return self.code


class InstitutionScope(models.Model):
    """What a filed institution may assess: an occupation at a level, or a special project."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.CASCADE, related_name="scope")
    occupation = models.ForeignKey("registry.Occupation", null=True, blank=True, on_delete=models.PROTECT)
    project = models.ForeignKey("registry.SpecialProject", null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField("职业（工种）或项目名称", max_length=100)
    level = models.PositiveSmallIntegerField("等级", null=True, blank=True)  # 5 初级 … 1 高级技师
    assessors = models.PositiveIntegerField("自有考评员数量", default=0)
    # 001 五(二): a scope row the authority suspended (暂停开展鉴定工作); set and cleared by
    # registry.services.lifecycle, shown in the directory, refused for new exams.
    suspended_at = models.DateTimeField("暂停时间", null=True, blank=True)
    suspension_reason = models.CharField("暂停原因", max_length=500, blank=True)
    suspension_source = models.CharField("暂停依据条款", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备案范围"
        constraints = [
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                                   name="scope_level_1_to_5"),
            # A suspension always names its reason (001 五(二)); lifting clears both.
            models.CheckConstraint(condition=models.Q(suspended_at__isnull=True)
                                   | ~models.Q(suspension_reason=""),
                                   name="scope_suspension_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name


class DirectoryEntry(models.Model):
    """One published version of an institution's public record; every version is kept."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="directory_entries")
    version = models.PositiveIntegerField()
    data = models.JSONField("公布内容")
    published_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField("在目录中", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "目录公布记录"
        ordering = ["institution", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "version"], name="directory_entry_version"),
            # One current version per institution: the directory query filters superseded_at IS NULL.
            models.UniqueConstraint(fields=["institution"], condition=models.Q(superseded_at__isnull=True),
                                    name="directory_one_current_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} v{self.version}"


class CodeSequence(models.Model):
    """Gap-free counters for institution codes, one row per scope, locked to increment."""

    scope = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编码序列"

    def __str__(self) -> str:
        return f"{self.scope}={self.last}"
