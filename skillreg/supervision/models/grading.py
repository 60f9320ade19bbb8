"""Periodic and three-year evaluation, rectification, the termination proposal.

002 第二十条: grades 优秀/良好/合格/不合格; 不合格 → rectify within half a year; still
不合格 after it → the filing is terminated. 002 第二十二条: seven behaviours that make the
grade 不合格 directly.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Evaluation(models.Model):
    class Kind(models.TextChoices):
        PERIODIC = "periodic", "定期考核检查"
        THREE_YEAR = "three_year", "三年综合评估"
        RE_EVALUATION = "re_evaluation", "整改后复评"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="evaluations", verbose_name="机构")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    inspection = models.ForeignKey("supervision.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="evaluations", verbose_name="依据的检查")
    rectification = models.ForeignKey("supervision.Rectification", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="re_evaluations",
                                       verbose_name="复评的整改")
    proposed_grade = models.CharField("评定等级", max_length=10)
    direct_fail = models.JSONField("直接不合格情形", default=list)  # keys of pack.direct_fail.items
    grade = models.CharField("最终等级", max_length=10)
    notes = models.TextField("评估意见", blank=True)
    source = models.CharField("依据条款", max_length=100)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "考核评估"
        ordering = ["-evaluated_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="re_evaluation") | models.Q(rectification__isnull=False),
                name="supervision_reevaluation_has_rectification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.grade}"


class Rectification(models.Model):
    """限期整改: opened by a failing grade or by a violation decision."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        PASSED = "passed", "整改合格"
        FAILED = "failed", "整改不合格"
        CLOSED = "closed", "已销号"

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.PASSED, Status.FAILED, Status.CLOSED},
        Status.PASSED: set(),
        Status.FAILED: set(),
        Status.CLOSED: set(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="rectifications", verbose_name="机构")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="rectifications")
    violation = models.ForeignKey("supervision.ViolationRecord", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rectifications")
    requirements = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    source = models.CharField("依据条款", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_note = models.TextField("销号说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "限期整改"
        ordering = ["deadline"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(evaluation__isnull=False) | models.Q(violation__isnull=False),
                name="supervision_rectification_has_cause",
            ),
        ]
        indexes = [
            # Dashboard: open rectifications ordered by deadline, overdue first.
            models.Index(fields=["status", "deadline"], name="supervision_rect_open_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} 整改至 {self.deadline}"


class TerminationProposal(models.Model):
    """A proposal to terminate/revoke a filing, decided by the approving official."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已批准（已终止/取消备案）"
        REJECTED = "rejected", "未批准"

    TRANSITIONS: dict[str, set[str]] = {
        Status.PROPOSED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="termination_proposals", verbose_name="机构")
    rectification = models.ForeignKey(Rectification, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="proposals")
    violation = models.ForeignKey("supervision.ViolationRecord", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="proposals")
    reason = models.TextField("理由")
    source = models.CharField("依据条款", max_length=100)
    blacklist = models.BooleanField("同时列入失信黑名单", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "终止（取消）备案建议"
        ordering = ["-proposed_at"]
        constraints = [
            # One pending proposal per institution: a second would be decided twice.
            models.UniqueConstraint(fields=["institution"], condition=models.Q(status="proposed"),
                                    name="supervision_one_pending_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_status_display()}"
