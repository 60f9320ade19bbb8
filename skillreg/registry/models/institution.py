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
    # 004 五(一): these apply straight to the province centre in Gansu.
    PROVINCIAL_ASSOCIATION = "provincial_association", "省级行业协会"
    PROVINCIAL_SCHOOL = "provincial_school", "省属职业院校（技工院校）"
    PROVINCIAL_SOE = "provincial_soe", "省属国有企业"
    CENTRAL_ENTERPRISE = "central_enterprise", "中央企业（驻地）"
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
    registration_number = models.CharField("营业执照/登记证书号码", max_length=50, blank=True)
    registration_issuer = models.CharField("发证机关", max_length=100, blank=True)
    address = models.CharField("地址", max_length=300)
    head_name = models.CharField("机构负责人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    contact_email = models.EmailField("电子邮箱", blank=True)
    region_code = models.CharField("所在地行政区划代码", max_length=6, db_index=True)
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="institutions",
        verbose_name="备案部门",
    )
    pack_id = models.CharField("适用政策包", max_length=50)
    status = models.CharField("状态", max_length=20, choices=Status.choices,
                              default=Status.REGISTERED)
    registered_at = models.DateTimeField("注册时间")
    # Set when filed (备案): the institution code and the end of the current validity.
    code = models.CharField("机构代码", max_length=40, null=True, blank=True, unique=True)
    valid_until = models.DateField("备案有效期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核评价机构"
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name
