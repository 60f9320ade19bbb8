"""双随机、一公开: a plan, the bodies drawn, the inspectors drawn, findings per item.

001 五(三), 002 第二十条, 003 五(三): inspections are drawn at random (bodies and
inspectors) and their results published.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

# 002 第二十一条: what a periodic inspection and the three-year evaluation look at. The
# other packs name no items; the plan may pick any subset of these.
INSPECTION_ITEMS: dict[str, str] = {
    "hardware": "硬件（场地、设备、检测手段等）是否与备案考核项目相符",
    "monitoring": "联网监控设备是否正常运行",
    "staffing": "管理人员配备是否符合规定",
    "procedures": "考核管理流程和管理规章制度的执行情况",
    "quality": "考核质量",
    "public_response": "社会反响",
    "fees": "收费情况",
    "archives": "档案管理情况",
}
INSPECTION_ITEMS_SOURCE = "002 第二十一条"

# Documents are silent on when inspection results must be published: system default.
PUBLISH_DEFAULT_WORKDAYS = 20


class InspectionPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        BODIES_DRAWN = "bodies_drawn", "已抽取检查对象"
        INSPECTORS_DRAWN = "inspectors_drawn", "已抽取检查人员"
        PUBLISHED = "published", "结果已公开"

    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.BODIES_DRAWN},
        Status.BODIES_DRAWN: {Status.INSPECTORS_DRAWN},
        Status.INSPECTORS_DRAWN: {Status.PUBLISHED},
        Status.PUBLISHED: set(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT,
                                  related_name="inspection_plans", verbose_name="组织机关")
    title = models.CharField("计划名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    items = models.JSONField("检查事项", default=list)
    pack_filter = models.CharField("限定政策包", max_length=50, blank=True)
    region_filter = models.CharField("限定区划代码前缀", max_length=6, blank=True)
    draw_count = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    draw_percent = models.PositiveSmallIntegerField("抽取比例（%）", null=True, blank=True)
    inspectors_per_body = models.PositiveSmallIntegerField("每个对象检查人员数", default=2)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    body_draw = models.ForeignKey("draws.Draw", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="检查对象抽取")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    bodies_drawn_at = models.DateTimeField(null=True, blank=True)
    inspectors_drawn_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "双随机检查计划"
        ordering = ["-created_at"]
        constraints = [
            # At least two inspectors per inspected body (issue 5; 双随机 practice).
            models.CheckConstraint(condition=models.Q(inspectors_per_body__gte=2),
                                   name="supervision_plan_two_inspectors"),
            # Either a number or a share of the pool, never both, never neither.
            models.CheckConstraint(
                condition=(models.Q(draw_count__isnull=False, draw_percent__isnull=True)
                           | models.Q(draw_count__isnull=True, draw_percent__isnull=False)),
                name="supervision_plan_count_or_share",
            ),
            models.CheckConstraint(
                condition=models.Q(draw_percent__isnull=True) | models.Q(draw_percent__gte=1, draw_percent__lte=100),
                name="supervision_plan_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def item_labels(self) -> list[tuple[str, str]]:
        return [(key, INSPECTION_ITEMS.get(key, key)) for key in self.items]


class InspectionConflict(models.Model):
    """回避: an inspector who may not inspect a body, and why."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="conflicts")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("回避理由", max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "检查回避"
        constraints = [
            models.UniqueConstraint(fields=["plan", "inspector", "institution"], name="supervision_conflict_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} 回避 {self.institution}"


class Inspection(models.Model):
    class Status(models.TextChoices):
        DRAWN = "drawn", "已抽中"
        ASSIGNED = "assigned", "检查中"
        CONCLUDED = "concluded", "已出结论"
        PUBLISHED = "published", "已公开"

    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAWN: {Status.ASSIGNED},
        Status.ASSIGNED: {Status.CONCLUDED},
        Status.CONCLUDED: {Status.PUBLISHED},
        Status.PUBLISHED: set(),
    }

    class Result(models.TextChoices):
        CONFORM = "conform", "未发现问题"
        ISSUES = "issues", "发现问题，责令整改"
        SERIOUS = "serious", "发现严重问题，立案处理"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="inspections")
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="inspections", verbose_name="检查对象")
    rank = models.PositiveIntegerField("抽取顺位")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAWN)
    inspector_draw = models.ForeignKey("draws.Draw", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="检查人员抽取")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="inspections",
                                        verbose_name="检查人员")
    result = models.CharField("检查结论", max_length=20, choices=Result.choices, blank=True)
    conclusion = models.TextField("结论说明", blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    publish_due = models.DateField("公开期限", null=True, blank=True)
    publish_due_provisional = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查"
        ordering = ["plan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "institution"], name="supervision_inspection_once_per_plan"),
        ]
        indexes = [
            # Dashboard: concluded but unpublished inspections past their publish deadline.
            models.Index(fields=["status", "publish_due"], name="supervision_insp_publish_due"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.institution}"


class InspectionFinding(models.Model):
    class Outcome(models.TextChoices):
        CONFORM = "conform", "符合"
        NONCONFORM = "nonconform", "不符合"
        NOT_CHECKED = "not_checked", "未检查"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField("检查事项", max_length=30)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    note = models.TextField("情况说明", blank=True)
    evidence = models.ManyToManyField("files.StoredFile", blank=True, related_name="+", verbose_name="证据材料")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "检查发现"
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="supervision_finding_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.outcome}"

    @property
    def item_label(self) -> str:
        return INSPECTION_ITEMS.get(self.item, self.item)
