from __future__ import annotations

from django.db import models


class Occupation(models.Model):
    """An occupation of the national classification (职业分类大典 2022), editable by administrators."""

    code = models.CharField("职业编码", max_length=20, unique=True)
    name = models.CharField("职业名称", max_length=100, db_index=True)
    middle_code = models.CharField("中类编码", max_length=10, blank=True)
    middle_name = models.CharField("中类名称", max_length=100, blank=True)
    minor_code = models.CharField("小类编码", max_length=10, blank=True)
    minor_name = models.CharField("小类名称", max_length=100, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "职业（工种）"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SpecialProject(models.Model):
    """A 专项职业能力考核项目 of a province's published catalogue (004 四(一))."""

    name = models.CharField("项目名称", max_length=100)
    region_code = models.CharField("发布地区", max_length=6)
    code = models.CharField("项目编码", max_length=40, blank=True)
    standard = models.CharField("考核规范", max_length=200, blank=True)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "专项职业能力考核项目"
        ordering = ["region_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "name"], name="special_project_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
