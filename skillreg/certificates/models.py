"""Certificates and their gap-free number counters.

Sized for the national lookup (issue 8: about 10^8 certificates). A public verification is
one probe of one B-tree on this one table, never a join:

- by number: the UNIQUE index on ``number`` (22 characters for 职业技能等级证书);
- by ID number + name: the composite index ``certificate_holder_lookup`` on
  ``(id_number, holder_name)``, read with LIMIT 2 (two rows means "ask for the number").

That is why the issuing body's name is copied onto the certificate (``issuer_name``): the
certificate states the body as it was named on the day of issue, and the lookup needs no
join to ``registry_institution``. The lists (institution's own, an official's jurisdiction)
have their own indexes, named below with the query that needs them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from skillreg.core.errors import IllegalTransition


class CertificateKind(models.TextChoices):
    # 003 四(七): 职业技能等级证书, under the national numbering rule.
    SKILL_LEVEL = "skill_level", "职业技能等级证书"
    # 002 第六条(六), 000 三(三)3: 专项职业能力证书; no national numbering rule was found.
    SPECIAL = "special", "专项职业能力证书"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已撤销"

    # The only move: 002 第二十六条 追缴违规发放的证书. A revoked certificate stays on
    # record (and verifies as revoked); nothing brings it back.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.VALID: frozenset({Status.REVOKED}),
        Status.REVOKED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # UNIQUE: the index behind GET /public/certificates/verify?number=…
    number = models.CharField("证书编号", max_length=40, unique=True)
    kind = models.CharField("证书种类", max_length=20, choices=CertificateKind.choices)
    institution = models.ForeignKey(
        "registry.Institution", on_delete=models.PROTECT, related_name="certificates",
        verbose_name="发证机构",
    )
    # Copied at issue: the name printed on the certificate, and the jurisdiction it was
    # issued in (officials' lists filter on it without a join).
    issuer_name = models.CharField("发证机构名称", max_length=200)
    region_code = models.CharField("发证机构所在地行政区划代码", max_length=6)
    pack_id = models.CharField("适用政策包", max_length=50)
    holder_name = models.CharField("持证人姓名", max_length=50)
    # The full number is stored (the certificate prints it); every page but the certificate's
    # own, for the issuing body and officials, shows it masked (first 6 + last 4).
    id_number = models.CharField("身份证件号码", max_length=18)
    occupation = models.CharField("职业（工种）或项目", max_length=100)
    level = models.PositiveSmallIntegerField("等级", null=True, blank=True)  # 5 初级 … 1 高级技师
    issued_on = models.DateField("发证日期")
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The serial inside the number, gap-free per counter scope (see numbering.py).
    serial = models.PositiveIntegerField("流水号")
    sequence_scope = models.CharField("编号序列", max_length=60)
    sitting_ref = models.CharField("考核批次", max_length=100, blank=True)
    # The exam registration the certificate was issued for, where the exams app holds it.
    # Nullable: certificates recorded without one (e.g. migrated from paper) stay valid.
    registration = models.OneToOneField("exams.Registration", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="certificate", verbose_name="考核报名")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField("撤销原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证书"
        ordering = ["-issued_at", "-id"]
        indexes = [
            # GET /public/certificates/verify?id_number=…&name=… : equality on both, LIMIT 2.
            models.Index(fields=["id_number", "holder_name"], name="certificate_holder_lookup"),
            # The institution's own list, newest first.
            models.Index(fields=["institution", "-issued_at"], name="certificate_inst_recent"),
            # An official's list: region_code LIKE '15%' (prefix match needs the pattern
            # operator class on PostgreSQL; other databases ignore opclasses).
            models.Index(fields=["region_code"], name="certificate_region_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sequence_scope", "serial"], name="certificate_serial_once"),
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                                   name="certificate_level_1_to_5"),
            # 003 四(七): a 职业技能等级证书 is of a level.
            models.CheckConstraint(condition=~models.Q(kind="skill_level") | models.Q(level__isnull=False),
                                   name="certificate_skill_level_has_level"),
            models.CheckConstraint(condition=models.Q(status__in=["valid", "revoked"]),
                                   name="certificate_status_known"),
            # 002 第二十六条: a revocation is dated, by someone, with a reason.
            models.CheckConstraint(
                condition=models.Q(status="valid", revoked_at__isnull=True)
                | (models.Q(status="revoked", revoked_at__isnull=False, revoked_by__isnull=False)
                   & ~models.Q(revoke_reason="")),
                name="certificate_revocation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"

    @property
    def level_label(self) -> str:
        from skillreg.policies.schema import LEVEL_NAMES

        return LEVEL_NAMES.get(self.level, "") if self.level else ""

    @property
    def masked_id(self) -> str:
        from skillreg.certificates.masking import mask_id

        return mask_id(self.id_number)

    def check_move(self, to: str) -> None:
        if to not in self.TRANSITIONS[self.status]:
            raise IllegalTransition(
                f"证书{self.number}当前状态为“{self.get_status_display()}”，不能改为“{self.Status(to).label}”"
            )


class CertificateSequence(models.Model):
    """One gap-free counter per scope (body + level + year for 职业技能等级证书), locked to increment.

    The increment happens in the issuing transaction, so a refused or failed issue rolls the
    counter back with it: no number is ever skipped or used twice.
    """

    scope = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "证书编号序列"

    def __str__(self) -> str:
        return f"{self.scope}={self.last}"
