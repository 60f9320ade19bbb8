from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from skillreg.exams.idcard import mask_id


class Assessor(models.Model):
    """A 考评员 in a centre's pool (002 第十五条: the centre dispatches them)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="assessor_profile")
    name = models.CharField("姓名", max_length=50)
    # Personal data: shown masked (first 6 + last 4) in every list; blank only for rows
    # entered through the admin before the pool pages existed.
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    region_code = models.CharField("所属地区", max_length=6, db_index=True)
    employer_name = models.CharField("工作单位", max_length=200, blank=True)
    # Set when the employer is a filed institution: never dispatched to its own sittings.
    employer = models.ForeignKey("registry.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="所在考核机构")
    active = models.BooleanField("在库", default=True)
    added_at = models.DateTimeField("入库时间", null=True, blank=True)
    deactivated_at = models.DateTimeField("出库时间", null=True, blank=True)
    deactivation_reason = models.TextField("出库原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评员"
        ordering = ["region_code", "name"]
        constraints = [
            # One person, one entry in the pool: a second entry would escape the rotation count.
            models.UniqueConstraint(fields=["id_number"], condition=~models.Q(id_number=""),
                                    name="assessor_id_number_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""


class AssessorCertificate(models.Model):
    assessor = models.ForeignKey(Assessor, on_delete=models.CASCADE, related_name="certificates")
    scope_name = models.CharField("职业（工种）或项目", max_length=100)
    level = models.PositiveSmallIntegerField("等级", null=True, blank=True)
    number = models.CharField("证书编号", max_length=50)
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = verbose_name_plural = "考评员证书"

    def __str__(self) -> str:
        return f"{self.scope_name} {self.number}"


class AssessorAssignment(models.Model):
    """An assessor dispatched to a sitting; ``draw`` is the stored, recomputable draw."""

    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.PROTECT, related_name="assignments")
    assessor = models.ForeignKey(Assessor, on_delete=models.PROTECT, related_name="assignments")
    draw = models.ForeignKey("draws.Draw", on_delete=models.PROTECT, related_name="+")
    rotated_in = models.BooleanField("轮换新增", default=False)  # not in the previous team at this venue
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "考评员选派"
        constraints = [
            models.UniqueConstraint(fields=["plan", "assessor"], name="assignment_once_per_sitting"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.plan_id}"


class SupervisorAssignment(models.Model):
    """A quality supervisor at a sitting: the centre's (external, drawn at random, 002 第十七条)
    or the institution's own internal supervisor (003 四(五)), kept apart by ``kind``."""

    class Kind(models.TextChoices):
        EXTERNAL = "external", "鉴定中心委派（外部）"
        INTERNAL = "internal", "机构内部质量督导员"

    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.PROTECT, related_name="supervisors")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="supervision_assignments")
    name = models.CharField("姓名", max_length=50)
    draw = models.ForeignKey("draws.Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "质量督导员委派"
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="external") | models.Q(draw__isnull=False),
                                   name="external_supervisor_is_drawn"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class SupervisionReport(models.Model):
    """002 第十七条: 现场质量督导记录表 and 考评员考评工作评价记录表, with on-the-spot corrections."""

    assignment = models.OneToOneField(SupervisorAssignment, on_delete=models.PROTECT, related_name="report")
    site_record = models.TextField("现场质量督导记录")
    assessor_evaluation = models.JSONField("考评员考评工作评价", default=list)  # [{"assessor", "rating", "remark"}]
    corrections = models.TextField("当场纠正和制止的违规行为", blank=True)
    filed_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "质量督导报告"

    def __str__(self) -> str:
        return f"督导报告 {self.assignment_id}"
