"""Answer-sheet similarity screening runs, and archive records with their destruction ledger."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

# --- similarity screening (000 三(三)8) ------------------------------------------------------


class ScreeningRun(models.Model):
    """One screening of one sitting's answer sheets, with everything needed to recompute it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    # The allowed moves; a failed run can be queued again.
    MOVES: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED}),
        Status.RUNNING: frozenset({Status.DONE, Status.FAILED}),
        Status.FAILED: frozenset({Status.QUEUED}),
        Status.DONE: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="screening_runs", verbose_name="考核机构")
    title = models.CharField("考试场次", max_length=200)
    pack_id = models.CharField("适用政策包", max_length=50)
    # The pack's rule as it stood when the run was made (000 三(三)8 in nm-2020-special).
    rule_fraction = models.CharField("判定比例", max_length=10, blank=True)
    rule_inclusive = models.BooleanField("含本数（以上）", default=True)
    rule_source = models.CharField("条款出处", max_length=50, blank=True)
    rule_note = models.CharField("文件说明", max_length=200, blank=True)

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    # Parameters: enough to recompute the run from its stored sheets.
    method = models.CharField("方法", max_length=60)
    method_version = models.PositiveSmallIntegerField("方法版本", default=1)
    alpha = models.FloatField("显著性水平 α")
    correction = models.CharField("多重比较校正", max_length=40)
    key_derivation = models.CharField("标准答案来源", max_length=10,
                                      choices=[("modal", "各题最多人选的选项（推定）"), ("given", "导入的标准答案")])
    answer_key = models.JSONField("标准答案", null=True, blank=True)
    given_key = models.JSONField("导入的标准答案", null=True, blank=True)
    parameters = models.JSONField("全部参数", default=dict)
    seed = models.BigIntegerField("随机种子", null=True, blank=True)  # the method has no randomness

    # The exam sitting the sheets came from, when they were read from the exams app rather than a file.
    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="screening_runs", verbose_name="考试场次（考核计划）")
    source_name = models.CharField("来源文件", max_length=255, blank=True)
    source_sha256 = models.CharField("文件 SHA-256", max_length=64, blank=True)
    item_names = models.JSONField("题目列名", default=list)
    sheet_count = models.PositiveIntegerField("答卷数", default=0)
    item_count = models.PositiveIntegerField("题数", default=0)
    room_count = models.PositiveIntegerField("考场数", default=0)
    pair_count = models.PositiveIntegerField("比对对数", default=0)
    flagged_pair_count = models.PositiveIntegerField("异常雷同对数", default=0)
    flagged_room_count = models.PositiveIntegerField("达到比例的考场数", default=0)
    histogram = models.JSONField("统计量分布", default=list)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间")
    started_at = models.DateTimeField("开始计算", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    runtime_seconds = models.FloatField("计算用时（秒）", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "答卷雷同筛查"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="archives_run_progress_le_100"),
            models.CheckConstraint(condition=models.Q(alpha__gt=0) & models.Q(alpha__lt=1),
                                   name="archives_run_alpha_in_0_1"),
            models.CheckConstraint(condition=~models.Q(status="done") | models.Q(finished_at__isnull=False),
                                   name="archives_run_done_has_finished_at"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.institution}）"


class ScreeningSheet(models.Model):
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="sheets")
    examinee = models.CharField("考生编号", max_length=64)
    room = models.CharField("考场", max_length=64)
    answers = models.JSONField("作答")

    class Meta:
        verbose_name = verbose_name_plural = "答卷"
        constraints = [models.UniqueConstraint(fields=["run", "examinee"], name="archives_sheet_unique_examinee")]
        indexes = [models.Index(fields=["run", "room"], name="archives_sheet_run_room")]

    def __str__(self) -> str:
        return f"{self.examinee}（考场 {self.room}）"


class ScreeningRoom(models.Model):
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="rooms")
    room = models.CharField("考场", max_length=64)
    candidates = models.PositiveIntegerField("考生数")
    pairs = models.PositiveIntegerField("比对对数")
    pair_alpha = models.FloatField("每对判定阈值", null=True, blank=True)
    flagged_pairs = models.PositiveIntegerField("异常雷同对数", default=0)
    flagged_candidates = models.PositiveIntegerField("涉及考生数", default=0)
    share = models.FloatField("涉及考生占比", default=0.0)
    reaches_rule = models.BooleanField("达到判定比例", null=True, blank=True)  # None: the pack is silent
    min_p = models.FloatField("最小 p 值", null=True, blank=True)
    # The violation record opened on this room's result (000 三(三)8), at most one.
    violation = models.OneToOneField("supervision.ViolationRecord", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="screening_room", verbose_name="违规记录")

    class Meta:
        verbose_name = verbose_name_plural = "考场筛查结果"
        ordering = ["-share", "room"]
        constraints = [
            models.UniqueConstraint(fields=["run", "room"], name="archives_room_unique"),
            models.CheckConstraint(condition=models.Q(flagged_candidates__lte=models.F("candidates")),
                                   name="archives_room_flagged_le_candidates"),
        ]

    def __str__(self) -> str:
        return f"考场 {self.room}"


class ScreeningPair(models.Model):
    """A flagged pair (only flagged pairs are stored; the run keeps the distribution of all)."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="pairs")
    room = models.ForeignKey(ScreeningRoom, on_delete=models.CASCADE, related_name="flagged")
    examinee_a = models.CharField("考生甲", max_length=64)
    examinee_b = models.CharField("考生乙", max_length=64)
    identical_incorrect = models.PositiveIntegerField("相同错误答案数")
    expected = models.FloatField("独立作答期望值")
    z = models.FloatField("标准化值 z")
    p_value = models.FloatField("p 值")
    shared_items = models.JSONField("相同错误的题目", default=list)  # [[item number, option], ...]

    class Meta:
        verbose_name = verbose_name_plural = "异常雷同答卷对"
        ordering = ["p_value"]

    def __str__(self) -> str:
        return f"{self.examinee_a}–{self.examinee_b}"


# --- archives: retention and destruction --------------------------------------------------


class ArchiveKind(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    VIDEO = "video", "视频"


class ArchiveCategory(models.TextChoices):
    ANSWER_SHEETS = "answer_sheets", "考生答卷"
    SCORE_SHEETS = "score_sheets", "阅卷评分表"
    CANDIDATE_WORK = "candidate_work", "考生考件实物"
    EXAM_ARRANGEMENT = "exam_arrangement", "考场安排"
    PAPERS = "papers", "试卷"
    SUPERVISION = "supervision", "督导、监考记录"
    VIDEO = "video", "监控录像"
    OTHER = "other", "其他"


class ArchiveRecord(models.Model):
    """One kept item and how long it must be kept, from the institution's pack."""

    class Status(models.TextChoices):
        KEPT = "kept", "保存中"
        HELD = "held", "留置（不得销毁）"
        APPROVED = "approved", "已批准销毁"
        DESTROYED = "destroyed", "已销毁"

    MOVES: dict[str, frozenset[str]] = {
        Status.KEPT: frozenset({Status.HELD, Status.APPROVED}),
        Status.HELD: frozenset({Status.KEPT}),
        Status.APPROVED: frozenset({Status.DESTROYED, Status.HELD}),
        Status.DESTROYED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="archive_records", verbose_name="考核机构")
    kind = models.CharField("载体", max_length=12, choices=ArchiveKind.choices)
    category = models.CharField("类别", max_length=20, choices=ArchiveCategory.choices)
    title = models.CharField("档案名称", max_length=200)
    sitting = models.CharField("考核场次", max_length=200, blank=True)
    made_on = models.DateField("形成日期")
    # Retention as the pack gave it when the record was made; all empty when the pack is silent.
    pack_id = models.CharField("适用政策包", max_length=50)
    retention_years = models.PositiveSmallIntegerField("保存年限", null=True, blank=True)
    retention_at_least = models.BooleanField("不少于", default=False)
    retention_source = models.CharField("条款出处", max_length=50, blank=True)
    retention_note = models.CharField("文件说明", max_length=300, blank=True)
    retain_until = models.DateField("保存期满日", null=True, blank=True)

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.KEPT)
    hold_reason = models.CharField("留置原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间")
    held_at = models.DateTimeField("留置时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="批准人")
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    destroyed_at = models.DateTimeField("销毁时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "档案"
        ordering = ["retain_until", "made_on", "id"]
        constraints = [
            # A retention date exists exactly when the pack fixes a number of years.
            models.CheckConstraint(
                condition=models.Q(retention_years__isnull=True, retain_until__isnull=True)
                | models.Q(retention_years__isnull=False, retain_until__isnull=False),
                name="archives_record_retention_years_and_date_together",
            ),
            # Nothing without a retention date can be approved for or undergo destruction.
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "destroyed"]) | models.Q(retain_until__isnull=False),
                name="archives_record_destruction_needs_retention",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="destroyed") | models.Q(destroyed_at__isnull=False),
                name="archives_record_destroyed_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="held") | ~models.Q(hold_reason=""),
                name="archives_record_held_has_reason",
            ),
        ]
        indexes = [
            # The due list: kept records of an institution whose retention date has passed.
            models.Index(fields=["status", "retain_until"], name="archives_record_due"),
        ]

    def __str__(self) -> str:
        return self.title


class DestructionMethod(models.TextChoices):
    SHRED = "shred", "粉碎"
    PULP = "pulp", "化浆"
    INCINERATE = "incinerate", "焚毁"
    ERASE = "erase", "数据彻底删除"
    MEDIA = "media", "存储介质物理销毁"
    OTHER = "other", "其他"


class DestructionLedgerEntry(models.Model):
    """The destruction ledger (000 三(二): 对保存期满需要销毁的档案进行台账登记备查).

    One row per destroyed record, with a copy of what was destroyed, so the ledger reads on
    its own. Never updated or deleted.
    """

    record = models.OneToOneField(ArchiveRecord, on_delete=models.PROTECT, related_name="ledger_entry",
                                  verbose_name="档案")
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="destruction_ledger", verbose_name="考核机构")
    title = models.CharField("档案名称", max_length=200)
    kind = models.CharField("载体", max_length=12, choices=ArchiveKind.choices)
    category = models.CharField("类别", max_length=20, choices=ArchiveCategory.choices)
    sitting = models.CharField("考核场次", max_length=200, blank=True)
    made_on = models.DateField("形成日期")
    retain_until = models.DateField("保存期满日")
    retention_source = models.CharField("保存期依据", max_length=50)
    destroyed_on = models.DateField("销毁日期")
    destroyed_at = models.DateTimeField("销毁时间")
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="销毁人")
    method = models.CharField("销毁方式", max_length=12, choices=DestructionMethod.choices)
    method_detail = models.CharField("方式说明", max_length=200, blank=True)
    witness = models.CharField("监销人", max_length=100)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="批准人")
    approved_at = models.DateTimeField("批准时间")

    class Meta:
        verbose_name = verbose_name_plural = "档案销毁台账"
        ordering = ["-destroyed_at", "-id"]
        constraints = [
            # Nothing is destroyed before (or on) the last day of its retention period.
            models.CheckConstraint(condition=models.Q(destroyed_on__gt=models.F("retain_until")),
                                   name="archives_ledger_after_retention"),
            models.CheckConstraint(condition=~models.Q(witness=""), name="archives_ledger_has_witness"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.destroyed_on}）"
