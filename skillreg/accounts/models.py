from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

region_code_validator = RegexValidator(r"^\d{6}$", "行政区划代码应为 6 位数字（GB/T 2260）")


class Authority(models.Model):
    """A 人社 department or guidance centre. Authorities form a tree: province → city → county.

    Jurisdiction follows the GB/T 2260 region code: a province covers every code that shares
    its first two digits, a city its first four, a county its own code.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    class Kind(models.TextChoices):
        HRSS = "hrss", "人力资源社会保障部门"
        CENTRE = "centre", "职业技能鉴定（指导）中心"

    name = models.CharField("名称", max_length=200, unique=True)
    region_code = models.CharField("行政区划代码", max_length=6, validators=[region_code_validator])
    region_name = models.CharField("行政区划名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.HRSS)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name="上级机关",
    )

    class Meta:
        verbose_name = verbose_name_plural = "机关"
        ordering = ["region_code", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | ~models.Q(level="province"),
                name="authority_province_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_prefix(self) -> str:
        return {
            self.Level.PROVINCE: self.region_code[:2],
            self.Level.CITY: self.region_code[:4],
        }.get(self.level, self.region_code)  # type: ignore[call-overload]

    def covers(self, region_code: str) -> bool:
        return region_code.startswith(self.jurisdiction_prefix)


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    FILING_OFFICIAL = "filing_official", "经办人员"
    APPROVING_OFFICIAL = "approving_official", "审批人员"
    CENTRE_STAFF = "centre_staff", "鉴定中心人员"
    EXPERT = "expert", "评估专家"
    SUPERVISOR = "supervisor", "质量督导员"
    ASSESSOR = "assessor", "考评员"
    INSTITUTION_USER = "institution_user", "机构用户"


# Roles whose work is bounded by their authority's jurisdiction.
OFFICIAL_ROLES = frozenset({Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL, Role.CENTRE_STAFF})
# Roles drawn into work from a regional pool: they belong to an authority but see only
# what they are assigned to (draws, dispatches), never the jurisdiction at large.
POOL_ROLES = frozenset({Role.EXPERT, Role.SUPERVISOR, Role.ASSESSOR})


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=100, blank=True)
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name="所属机关",
    )
    institution = models.ForeignKey(
        "registry.Institution", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users", verbose_name="所属机构",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # When the password was last set; SKILLREG_PASSWORD_MAX_AGE_DAYS (off by default)
    # asks for a new one after that many days. Null: set before this field existed.
    password_changed_at = models.DateTimeField("密码设置时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            # An institution user acts for exactly one institution; officials and pool
            # members act for an authority. Enforced here so no code path can forget.
            models.CheckConstraint(
                condition=~models.Q(role="institution_user") | models.Q(institution__isnull=False),
                name="user_institution_user_has_institution",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=[
                    "filing_official", "approving_official", "centre_staff",
                    "expert", "supervisor", "assessor",
                ]) | models.Q(authority__isnull=False),
                name="user_official_has_authority",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        from skillreg.core import clock

        super().set_password(raw_password)
        self.password_changed_at = clock.now()

    @property
    def is_sysadmin(self) -> bool:
        return self.role == Role.SYSADMIN

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    # What the navigation offers; each page still checks its own permission.
    @property
    def sees_supervision(self) -> bool:
        # Institution users: their annual work plan and summary (002 第五条(五)).
        return self.role in OFFICIAL_ROLES or self.role in (Role.SUPERVISOR, Role.SYSADMIN, Role.INSTITUTION_USER)

    @property
    def sees_exams(self) -> bool:
        return self.role in (Role.INSTITUTION_USER, Role.CENTRE_STAFF, Role.ASSESSOR, Role.SUPERVISOR,
                             Role.SYSADMIN)


class ApiToken(models.Model):
    """A bearer token for /api/v1. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌（{self.created_at:%Y-%m-%d %H:%M}）"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
