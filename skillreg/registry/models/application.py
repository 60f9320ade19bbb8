from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Application(models.Model):
    """A filing application (备案申请) and its way through the authority.

    The allowed moves are the table ``TRANSITIONS`` in ``registry.workflow``; every move is a
    service function that checks it under a row lock and writes the audit event.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", "设立备案"
        RENEWAL = "renewal", "延续备案"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待核查材料"
        SUPPLEMENT_REQUESTED = "supplement_requested", "待补正材料"
        ACCEPTED = "accepted", "材料齐全，已受理"
        EVALUATING = "evaluating", "专家评估中"
        EVALUATED = "evaluated", "评估完成，待审批"
        FILED = "filed", "已备案"
        REFUSED = "refused", "不予备案"
        TERMINATED = "terminated", "终止办理"
        WITHDRAWN = "withdrawn", "已撤回"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="applications", verbose_name="申请单位")
    pack_id = models.CharField("适用政策包", max_length=50)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField("状态", max_length=30, choices=Status.choices, default=Status.DRAFT)
    # The 备案表 / 申请表 content: scope (occupations or projects with levels), venues and
    # equipment, rosters, commitments, rules. Shape per pack, validated by registry.forms.
    form = models.JSONField("申请表内容", default=dict)
    # Where it goes (routed by the pack's tiers on submission) and who reviews it.
    authority = models.ForeignKey("accounts.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="applications", verbose_name="受理部门")
    reviewing_authority = models.ForeignKey("accounts.Authority", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="reviewed_applications",
                                            verbose_name="复核部门")
    routing_source = models.CharField("受理层级依据", max_length=100, blank=True)
    call = models.ForeignKey("registry.CallForApplications", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="applications", verbose_name="征集公告")
    region_code = models.CharField("申请单位所在地", max_length=6, db_index=True)

    created_at = models.DateTimeField("创建时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    evaluation_started_at = models.DateTimeField("评估开始", null=True, blank=True)
    evaluated_at = models.DateTimeField("评估完成", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    # Clocks (working days), computed from the pack when the triggering event happens.
    # *_provisional: the calendar did not know a year the count crossed (recomputed later).
    material_check_due = models.DateField("材料核查期限", null=True, blank=True)
    material_check_due_provisional = models.BooleanField(default=False)
    completion_due = models.DateField("办结期限", null=True, blank=True)
    completion_due_provisional = models.BooleanField(default=False)

    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="经办人")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审批人")
    decision_reason = models.TextField("办理结果理由", blank=True)
    decision_source = models.CharField("办理结果依据条款", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备案申请"
        ordering = ["-created_at"]
        indexes = [
            # The authority's worklist: its open applications by status.
            models.Index(fields=["authority", "status"], name="application_worklist"),
        ]
        constraints = [
            # Two people: the approving official is never the one who handled the file.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | models.Q(handled_by__isnull=True)
                | ~models.Q(decided_by=models.F("handled_by")),
                name="application_two_person_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()}（{self.get_status_display()}）"


class ApplicationMaterial(models.Model):
    """A required material (pack ``materials.items[].key``) uploaded for an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField("材料", max_length=60)
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    superseded = models.BooleanField("已被替换", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["key", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.key}"


class SupplementNotice(models.Model):
    """The one-time supplement notice (一次性告知补正). One per application, by construction."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="supplement_notice")
    items = models.JSONField("需补正事项")  # [{"key", "text", "source"}]
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField("补正期限", null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    source = models.CharField("依据条款", max_length=100, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一次性补正告知"

    def __str__(self) -> str:
        return f"补正告知 {self.application_id}"


class CallForApplications(models.Model):
    """A call with a closing date (004 一: 4月15日前申报)."""

    pack_id = models.CharField(max_length=50)
    title = models.CharField("公告名称", max_length=200)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    source = models.CharField("依据条款", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征集公告"
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="call_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationPlan(models.Model):
    """004 五(二): the evaluation plan, filed 10 working days before the evaluation."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="evaluation_plan")
    evaluation_date = models.DateField("评估日期")
    content = models.TextField("评估方案")
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "评估方案"

    def __str__(self) -> str:
        return f"评估方案 {self.evaluation_date}"
