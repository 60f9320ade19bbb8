from __future__ import annotations

import uuid

from django.db import models


class BodyKind(models.TextChoices):
    """What sort of organisation applies (003 三, 002 第七条, 004 五(一), 001 二)."""

    ENTERPRISE = "enterprise", "企业"
    TECHNICAL_SCHOOL = "technical_school", "技工院校"
    VOCATIONAL_SCHOOL = "vocational_school", "职业院校"
    SOCIAL_BODY = "social_body", "社会评价组织"
    INDUSTRY_BODY = "industry_body", "行业部门（单位）"
    PROVINCIAL_UNIT = "provincial_unit", "省、部属单位"
    APPRAISAL_BODY = "appraisal_body", "职业技能鉴定机构"
    OTHER = "other", "其他"


class Institution(models.Model):
    """An assessment body as registered; its filings, scope and directory entry hang off it."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "已注册（未备案）"
        FILED = "filed", "已备案"
        SUSPENDED = "suspended", "暂停"
        EXPIRED = "expired", "已过期"
        CANCELLED = "cancelled", "已注销"
        REVOKED = "revoked", "已取消备案"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("机构名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    body_kind = models.CharField("单位类别", max_length=30, choices=BodyKind.choices)
    legal_representative = models.CharField("法定代表人", max_length=50)
    address = models.CharField("地址", max_length=300)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    region_code = models.CharField("所在地行政区划代码", max_length=6, db_index=True)
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="institutions",
        verbose_name="备案部门",
    )
    pack_id = models.CharField("适用政策包", max_length=50)
    status = models.CharField("状态", max_length=20, choices=Status.choices,
                              default=Status.REGISTERED)
    registered_at = models.DateTimeField("注册时间")

    class Meta:
        verbose_name = verbose_name_plural = "考核评价机构"
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name
