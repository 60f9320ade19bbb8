"""Violation records, decisions on the sanction ladder, and the 失信黑名单."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class FoundVia(models.TextChoices):
    INSPECTION = "inspection", "抽查检查"
    COMPLAINT = "complaint", "投诉举报"
    MEDIA = "media", "媒体曝光"
    REPORT = "report", "群众举报/报告"
    INACTIVITY = "inactivity", "长期未开展考核"
    OTHER = "other", "其他"


class SanctionKind(models.TextChoices):
    """The ladder of the packs: the step chosen from a catalogue maps to one of these."""

    RECORD = "record", "记录"
    CRITICISM = "criticism", "通报批评"
    RECTIFICATION = "rectification", "限期整改"
    SUSPENSION = "suspension", "停止（暂停）考核活动"
    REVOCATION = "revocation", "取消备案（资质）"
    PENALTY = "penalty", "行政处罚"
    DISQUALIFY = "disqualify", "取消申报资格"


class ViolationRecord(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DECIDED = "decided", "已作出处理决定"

    TRANSITIONS: dict[str, set[str]] = {Status.OPEN: {Status.DECIDED}, Status.DECIDED: set()}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="violations", verbose_name="机构")
    pack_id = models.CharField(max_length=50)
    catalogue_key = models.CharField("违规类别", max_length=60)
    item_key = models.CharField("违规情形", max_length=60)
    item_text = models.TextField("情形原文")
    source = models.CharField("依据条款", max_length=100)
    facts = models.TextField("违规事实")
    found_via = models.CharField("发现途径", max_length=20, choices=FoundVia.choices)
    inspection = models.ForeignKey("supervision.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="violations")
    complaint = models.ForeignKey("supervision.Complaint", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="violations")
    evidence = models.ManyToManyField("files.StoredFile", blank=True, related_name="+", verbose_name="证据材料")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    decision_step = models.CharField("处理措施（原文）", max_length=200, blank=True)
    sanction = models.CharField("处理类别", max_length=20, choices=SanctionKind.choices, blank=True)
    suspended_scope = models.CharField("停止的职业（工种）/项目", max_length=200, blank=True)
    decision_note = models.TextField("处理决定", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "违规记录"
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="decided") | ~models.Q(sanction=""),
                                   name="supervision_decided_has_sanction"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.item_text[:20]}"


class BlacklistEntry(models.Model):
    """失信黑名单 (003 五(五)): keyed by 统一社会信用代码 so a new application is caught too."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("单位名称", max_length=200)
    institution = models.ForeignKey("registry.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="blacklist_entries")
    reason = models.TextField("列入理由")
    source = models.CharField("依据条款", max_length=100)
    proposal = models.ForeignKey("supervision.TerminationProposal", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    listed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "失信黑名单"
        ordering = ["-listed_at"]
        constraints = [
            # is_blacklisted() reads the one active entry per code.
            models.UniqueConstraint(fields=["credit_code"], condition=models.Q(lifted_at__isnull=True),
                                    name="supervision_one_active_blacklist_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"
