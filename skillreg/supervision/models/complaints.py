"""投诉举报 (000 四(一), 001 五(三), 003 五(三)): filed by anyone, answered by the authority."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        VERIFYING = "verifying", "核实中"
        ANSWERED = "answered", "已答复"

    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {Status.VERIFYING, Status.ANSWERED},
        Status.VERIFYING: {Status.ANSWERED},
        Status.ANSWERED: set(),
    }

    class Finding(models.TextChoices):
        SUBSTANTIATED = "substantiated", "情况属实"
        PARTLY = "partly", "部分属实"
        UNSUBSTANTIATED = "unsubstantiated", "情况不属实"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tracking_number = models.CharField("受理编号", max_length=20, unique=True)
    # Only the hash: the secret is shown once to the complainant and never stored.
    secret_digest = models.CharField(max_length=64)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="complaints", verbose_name="被投诉机构")
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT,
                                  related_name="complaints", verbose_name="承办机关")
    region_code = models.CharField(max_length=6, db_index=True)  # the institution's, for scoping
    subject = models.CharField("事由", max_length=100)
    content = models.TextField("投诉内容")
    # Contact details: never public, never in an API list, shown only to the handling official.
    complainant_name = models.CharField("投诉人姓名", max_length=50, blank=True)
    complainant_contact = models.CharField("联系方式", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField("受理时间")
    answer_due = models.DateField("答复期限")
    answer_due_provisional = models.BooleanField(default=False)
    answer_due_source = models.CharField("期限依据", max_length=200)
    finding = models.CharField("核实结论", max_length=20, choices=Finding.choices, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="answered") | ~models.Q(answer=""),
                                   name="supervision_answered_has_answer"),
        ]
        indexes = [
            # Dashboard and sweep: unanswered complaints by deadline.
            models.Index(fields=["status", "answer_due"], name="supervision_complaint_due"),
        ]

    def __str__(self) -> str:
        return self.tracking_number
