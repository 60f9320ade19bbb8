"""The expert pool, the panel drawn for an application, and each expert's scores.

A panel is drawn at random (``draws.Draw`` keeps the pool, the exclusions with their reasons
and the seed, so anyone can recompute it); an expert who declines is replaced by a second,
equally recorded draw. Each member scores on their own; the official records the panel's
conclusion once every active member has submitted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Expert(models.Model):
    """A member of an authority's expert pool (专家库)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The login the expert scores with; a pool may list experts who have no account yet.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="expert_entries", verbose_name="登录账号",
                             limit_choices_to={"role": "expert"})
    name = models.CharField("姓名", max_length=50)
    employer = models.CharField("工作单位", max_length=200)
    employer_credit_code = models.CharField("工作单位统一社会信用代码", max_length=18, blank=True)
    specialties = models.JSONField("专业领域（职业/项目）", default=list, blank=True)
    region_code = models.CharField("所在地行政区划代码", max_length=6)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="experts",
                                  verbose_name="所属专家库")
    active = models.BooleanField("在库", default=True)
    added_at = models.DateTimeField("入库时间")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    deactivated_at = models.DateTimeField("出库时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估专家"
        ordering = ["authority", "name"]
        constraints = [
            # One entry per account and pool: a person is listed once in each authority's pool.
            models.UniqueConstraint(fields=["user", "authority"], condition=models.Q(user__isnull=False),
                                    name="expert_one_entry_per_pool"),
        ]
        indexes = [
            # panel_draw: the active experts of one or more pools.
            models.Index(fields=["authority", "active"], name="expert_pool_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employer}）"

    @property
    def label(self) -> str:
        """How the expert appears in a published draw record."""
        return f"{self.name}（{self.employer}）"


class ExpertConflict(models.Model):
    """A declared conflict of interest (利害关系) between an expert and an institution."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name="专家")
    institution = models.ForeignKey("registry.Institution", on_delete=models.CASCADE, related_name="+",
                                    verbose_name="机构")
    reason = models.CharField("回避理由", max_length=300)
    declared_at = models.DateTimeField("申报时间")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "专家回避申报"
        constraints = [
            models.UniqueConstraint(fields=["expert", "institution"], name="expert_conflict_once"),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} 回避 {self.institution}"


class Panel(models.Model):
    """The expert panel (专家评议组) drawn for one application's evaluation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey("registry.Application", on_delete=models.PROTECT, related_name="panels",
                                    verbose_name="备案申请")
    draw = models.ForeignKey("draws.Draw", on_delete=models.PROTECT, related_name="+", verbose_name="抽取记录")
    size = models.PositiveIntegerField("专家人数")
    created_at = models.DateTimeField("抽取时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    passed = models.BooleanField("评估合格", null=True, blank=True)
    summary = models.TextField("评估结论", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估专家组"
        ordering = ["-created_at"]
        constraints = [
            # Two officials drawing at once: only one open panel per application.
            models.UniqueConstraint(fields=["application"], condition=models.Q(concluded_at__isnull=True),
                                    name="panel_one_open_per_application"),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="panel_size_positive"),
            models.CheckConstraint(
                condition=models.Q(concluded_at__isnull=True, passed__isnull=True)
                | models.Q(concluded_at__isnull=False, passed__isnull=False),
                name="panel_conclusion_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"专家组 {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.concluded_at is None


class PanelMember(models.Model):
    class Status(models.TextChoices):
        DRAWN = "drawn", "已抽中，待评分"
        DECLINED = "declined", "已谢绝，待补抽"
        REPLACED = "replaced", "已谢绝，已补抽"
        SUBMITTED = "submitted", "已提交评分"

    # The members who make up the panel now: a declined member no longer counts.
    ACTIVE = (Status.DRAWN, Status.SUBMITTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="memberships", verbose_name="专家")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAWN)
    draw = models.ForeignKey("draws.Draw", on_delete=models.PROTECT, related_name="+",
                             verbose_name="抽中该专家的抽取记录")
    declined_at = models.DateTimeField("谢绝时间", null=True, blank=True)
    decline_reason = models.CharField("谢绝理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家组成员"
        ordering = ["panel", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_once"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["declined", "replaced"]) | models.Q(declined_at__isnull=False),
                name="panel_member_decline_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name}（{self.get_status_display()}）"


class ExpertScore(models.Model):
    """One member's independent evaluation. Written once; never edited.

    ``items``: one entry per method of the pack's evaluation (``pack.evaluation.methods``):
    ``{"method", "score" (0–100 or null), "passed" (bool or null), "notes"}``, exactly one
    of ``score`` and ``passed`` given.
    """

    member = models.OneToOneField(PanelMember, on_delete=models.PROTECT, related_name="score")
    items = models.JSONField("分项评分")
    passed = models.BooleanField("总体意见：合格")
    opinion = models.TextField("评估意见", blank=True)
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "专家评分"

    def __str__(self) -> str:
        return f"{self.member.expert.name} 的评分"


class ScorePhoto(models.Model):
    score = models.ForeignKey(ExpertScore, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "评估照片"

    def __str__(self) -> str:
        return str(self.file)
