"""No exam for a year: 000 三(三)10, 002 第二十二条(七), 003 五(五). Flagged; the official decides."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InactivityFlag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DISMISSED = "dismissed", "已核实，不予处理"
        ACTED = "acted", "已立案处理"

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.DISMISSED, Status.ACTED},
        Status.DISMISSED: set(),
        Status.ACTED: set(),
    }

    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="inactivity_flags", verbose_name="机构")
    last_activity = models.DateField("最近一次考核活动（或备案）日期")
    activity_basis = models.CharField("日期依据", max_length=50)
    source = models.CharField("依据条款", max_length=100)
    flagged_at = models.DateTimeField()
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("处理说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "长期未开展考核提示"
        ordering = ["-flagged_at"]
        constraints = [
            # The command runs daily; one open flag per institution keeps it idempotent.
            models.UniqueConstraint(fields=["institution"], condition=models.Q(status="open"),
                                    name="supervision_one_open_inactivity_flag"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} 自 {self.last_activity} 未开展考核"
