from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Draw(models.Model):
    """A stored random choice: what was drawn from, what was excluded and why, the seed.

    ``pool`` is a list of ``{"key", "label"}``; ``exclusions`` a list of
    ``{"key", "reason"}``; ``result`` the keys drawn, in rank order.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField("用途", max_length=50)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    pool = models.JSONField("候选池")
    exclusions = models.JSONField("回避与排除", default=list)
    seed = models.CharField("随机种子", max_length=64)
    count = models.PositiveIntegerField("抽取数量")
    result = models.JSONField("抽取结果")
    rule_source = models.CharField("依据条款", max_length=100, blank=True)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "随机抽取记录"
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.public_id}"
