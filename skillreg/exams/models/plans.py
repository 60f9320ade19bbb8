from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Venue(models.Model):
    """An exam site (考点). 002 第十三条: exams are held at the sites fixed at filing; an
    off-site venue needs an application to the centre, checked and approved before use."""

    class Kind(models.TextChoices):
        FILED = "filed", "备案考核场地"
        OFF_SITE = "off_site", "场外考点（场）"

    class Status(models.TextChoices):
        PENDING = "pending", "待鉴定中心核实"
        APPROVED = "approved", "可用"
        RETURNED = "returned", "未通过核实"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="venues",
                                    verbose_name="考核机构")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    name = models.CharField("考点名称", max_length=200)
    address = models.CharField("地址", max_length=300)
    region_code = models.CharField("所在地行政区划代码", max_length=6, db_index=True)
    rooms = models.PositiveIntegerField("考场数", default=1)
    capacity = models.PositiveIntegerField("可容纳考生数", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    reason = models.TextField("申请理由 / 核实意见", blank=True)
    applied_at = models.DateTimeField("提出时间")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField("核实意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考点"
        ordering = ["institution", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def usable(self) -> bool:
        return self.status == self.Status.APPROVED


class ExamPlan(models.Model):
    """An exam plan (考核计划) = one sitting of one scope at one venue.

    Moves between statuses are the table ``skillreg.exams.workflow.PLAN_MOVES``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布（报名中）"
        APPLIED = "applied", "已报送考核申请"
        APPROVED = "approved", "考核申请已核准"
        RESULTS_SUBMITTED = "results_submitted", "考核结果待审核"
        RESULTS_APPROVED = "results_approved", "考核结果已核准"
        CANCELLED = "cancelled", "已取消"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="exam_plans",
                                    verbose_name="考核机构")
    scope = models.ForeignKey("registry.InstitutionScope", on_delete=models.PROTECT, related_name="+",
                              verbose_name="备案范围")
    scope_name = models.CharField("职业（工种）或项目", max_length=100)
    level = models.PositiveSmallIntegerField("等级", null=True, blank=True)  # None: a special project
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="plans", verbose_name="考点")
    region_code = models.CharField("考点所在地", max_length=6, db_index=True)
    pack_id = models.CharField("适用政策包", max_length=50)
    title = models.CharField("计划名称", max_length=200)
    registration_opens = models.DateField("报名开始")
    registration_closes = models.DateField("报名截止")
    exam_start = models.DateField("考核开始")
    exam_end = models.DateField("考核结束")
    fee = models.DecimalField("收费标准（元/人）", max_digits=8, decimal_places=2)
    fee_basis = models.CharField("收费依据", max_length=200, blank=True)
    pass_mark = models.DecimalField("合格分数线", max_digits=5, decimal_places=2, default=60)
    capacity = models.PositiveIntegerField("计划人数", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    results_submitted_at = models.DateTimeField(null=True, blank=True)
    results_decided_at = models.DateTimeField(null=True, blank=True)
    results_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    results_return_reason = models.TextField("成绩退回理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核计划"
        ordering = ["-exam_start", "title"]
        indexes = [
            # The rotation check reads the sittings at one venue in date order.
            models.Index(fields=["venue", "exam_start"], name="exam_plan_venue_sittings"),
            # Worklists: plans of a jurisdiction by status.
            models.Index(fields=["region_code", "status"], name="exam_plan_worklist"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(registration_closes__gte=models.F("registration_opens")),
                                   name="exam_plan_registration_window"),
            models.CheckConstraint(condition=models.Q(exam_start__gt=models.F("registration_closes")),
                                   name="exam_plan_exam_after_registration"),
            models.CheckConstraint(condition=models.Q(exam_end__gte=models.F("exam_start")),
                                   name="exam_plan_exam_dates"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="exam_plan_fee_not_negative"),
            models.CheckConstraint(condition=models.Q(pass_mark__gte=0, pass_mark__lte=100),
                                   name="exam_plan_pass_mark_0_100"),
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                                   name="exam_plan_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return self.title


class ExamApplication(models.Model):
    """002 第六条(二): the exam application (方案, 名册, 应急预案) and the request for papers."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待鉴定中心审核"
        APPROVED = "approved", "已核准"
        RETURNED = "returned", "已退回"

    plan = models.ForeignKey(ExamPlan, on_delete=models.CASCADE, related_name="exam_applications")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    scheme = models.TextField("专项考核申请方案")
    emergency_plan = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+",
                                       verbose_name="应急预案")
    scheme_file = models.ForeignKey("files.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="申请方案附件")
    papers_requested = models.PositiveIntegerField("申请试卷份数")
    roster_count = models.PositiveIntegerField("名册人数")
    due = models.DateField("报送期限")
    due_provisional = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核申请"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=~models.Q(status="returned"),
                                    name="exam_application_one_open_per_plan"),
        ]

    def __str__(self) -> str:
        return f"考核申请 {self.plan_id}"
