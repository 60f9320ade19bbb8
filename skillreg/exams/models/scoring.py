from __future__ import annotations

from django.conf import settings
from django.db import models


class ScoreSheet(models.Model):
    """002 第十六条: one assessor's independent scores for a sitting, signed on submission.

    Once ``submitted_at`` is set the sheet and its scores are locked; only a centre
    correction with a reason (``ScoreCorrection``) changes a score afterwards.
    """

    assignment = models.OneToOneField("exams.AssessorAssignment", on_delete=models.PROTECT,
                                      related_name="score_sheet")
    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.PROTECT, related_name="score_sheets")
    submitted_at = models.DateTimeField("签名提交时间", null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="签名人")
    signature_name = models.CharField("签名", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评分表"
        constraints = [
            models.CheckConstraint(condition=models.Q(submitted_at__isnull=True)
                                   | models.Q(signed_by__isnull=False) & ~models.Q(signature_name=""),
                                   name="score_sheet_signed_when_submitted"),
        ]

    def __str__(self) -> str:
        return f"评分表 {self.assignment_id}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="scores")
    registration = models.ForeignKey("exams.Registration", on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField("分数", max_digits=5, decimal_places=2, null=True, blank=True)  # None: 缺考
    entered_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "registration"], name="score_once_per_sheet"),
            models.CheckConstraint(condition=models.Q(value__isnull=True) | models.Q(value__gte=0, value__lte=100),
                                   name="score_0_to_100"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.value}"


class ScoreCorrection(models.Model):
    """A change to a submitted score: by the centre, with a reason, audited (000 三(四)4)."""

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="corrections")
    old_value = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    new_value = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    reason = models.TextField("更正理由")
    corrected_at = models.DateTimeField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "成绩更正"
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="score_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"更正 {self.score_id}"


class AnswerSheet(models.Model):
    """A candidate's objective answers in an exam room, read by the similarity screening.

    ``answers`` is a list with one entry per question: the chosen option(s) as a string
    (e.g. "A", "BD"), or null when the question was left blank.
    """

    registration = models.OneToOneField("exams.Registration", on_delete=models.PROTECT,
                                        related_name="answer_sheet")
    room = models.CharField("考场", max_length=50)
    answers = models.JSONField("客观题作答")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "答卷（客观题）"
        indexes = [models.Index(fields=["room"], name="answer_sheet_room")]

    def __str__(self) -> str:
        return f"答卷 {self.registration_id} @ {self.room}"
