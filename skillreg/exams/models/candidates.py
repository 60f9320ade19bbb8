from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from skillreg.exams.idcard import mask_id


class Candidate(models.Model):
    """A person who sits exams, identified by their 身份证号码 across institutions and plans."""

    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2)
    birth_date = models.DateField("出生日期")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "考生"
        # One candidate per 身份证号码. A constraint rather than unique=True: on PostgreSQL Django
        # gives a unique CharField a second, varchar_pattern_ops index for LIKE 'prefix%', which
        # nothing here uses and which was a fifth of a 100,000-row roster commit (exams 0005).
        constraints = [models.UniqueConstraint(fields=["id_number"], name="exams_candidate_id_number_key",
                                               violation_error_message="该身份证号码的考生已存在")]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)


class Relation(models.TextChoices):
    """The candidate's declared relation to the institution (003 三(一)(二))."""

    EMPLOYEE = "employee", "本单位职工"
    DISPATCHED = "dispatched", "劳务派遣人员"
    OUTSOURCED = "outsourced", "劳务外包人员"
    STUDENT = "student", "本校学生"
    NONE = "none", "无"


EMPLOYEE_RELATIONS = frozenset({Relation.EMPLOYEE, Relation.DISPATCHED, Relation.OUTSOURCED})


class Registration(models.Model):
    """A candidate registered by the institution for one plan, and, later, the result."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "已报名"
        WITHDRAWN = "withdrawn", "已撤销"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.PROTECT, related_name="registrations")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField("姓名", max_length=50)  # as entered for this sitting
    education = models.CharField("文化程度", max_length=50)
    work_unit = models.CharField("工作单位 / 学校", max_length=200, blank=True)
    relation = models.CharField("与机构关系", max_length=20, choices=Relation.choices, default=Relation.NONE)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REGISTERED)
    entered_at = models.DateTimeField("录入时间")
    # Both keep their foreign-key constraint but have no index: nothing lists registrations by who
    # typed them or by import, and every index costs each row of a 100,000-row roster import
    # (issue 8, figure 3). Deleting a user or an import (the admin only) scans the table instead.
    # Who typed the row; empty on a row of a roster import, whose uploader and accepter the import
    # records (an empty key is not checked: a quarter of the import's foreign-key work).
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   db_index=False, null=True, blank=True)
    roster_import = models.ForeignKey("exams.RosterImport", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="registrations", db_index=False)
    # Results: computed from the assessors' submitted score sheets when the institution
    # submits the results; final only once the centre approved them (plan status).
    score = models.DecimalField("成绩", max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField("合格", null=True, blank=True)
    absent = models.BooleanField("缺考", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "报名"
        ordering = ["plan", "entered_at", "id"]
        constraints = [
            # The same person registered twice for one sitting is refused; the database says so too.
            models.UniqueConstraint(fields=["plan", "candidate"], condition=models.Q(status="registered"),
                                    name="registration_once_per_sitting"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.candidate.masked_id}）"

    @property
    def masked_id(self) -> str:
        return self.candidate.masked_id


class RegistrationMaterial(models.Model):
    """One of the 一表一书两证明 (pack ``exams.candidate_materials.items[].key``)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField("材料", max_length=40)
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "报名材料"
        constraints = [
            models.UniqueConstraint(fields=["registration", "key"], name="registration_material_once"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}:{self.key}"


class RosterReview(models.Model):
    """002 第六条(一): the roster and the 报名质量责任书 go to the centre, which approves or
    returns them with reasons."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待复审"
        APPROVED = "approved", "已核准"
        RETURNED = "returned", "已退回"

    plan = models.ForeignKey("exams.ExamPlan", on_delete=models.CASCADE, related_name="roster_reviews")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    quality_letter = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+",
                                       verbose_name="报名质量责任书")
    roster_count = models.PositiveIntegerField("名册人数")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.TextField("退回理由 / 审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报名复审"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=~models.Q(status="returned"),
                                    name="roster_review_one_open_per_plan"),
            models.CheckConstraint(condition=~models.Q(status="returned") | ~models.Q(reason=""),
                                   name="roster_review_return_has_reason"),
        ]

    def __str__(self) -> str:
        return f"报名复审 {self.plan_id}"


class TrainingRoster(models.Model):
    """002 第五条(四) 考培分离: the institution declares whom it trained; they may not sit its exams."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="training_rosters")
    title = models.CharField("培训班名称", max_length=200)
    trained_from = models.DateField("培训开始", null=True, blank=True)
    trained_until = models.DateField("培训结束", null=True, blank=True)
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A roster declared in error is withdrawn, not deleted: the trail shows who was declared
    # and when; a withdrawn roster no longer blocks its trainees (002 第五条(四)).
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawal_reason = models.TextField("撤回原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训学员名册"
        ordering = ["-declared_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                                   name="training_roster_withdrawal_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class TrainingRosterEntry(models.Model):
    roster = models.ForeignKey(TrainingRoster, on_delete=models.CASCADE, related_name="entries")
    # Denormalised so that the 考培分离 check is one indexed lookup per institution.
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "培训学员"
        indexes = [models.Index(fields=["institution", "id_number"], name="training_entry_lookup")]

    def __str__(self) -> str:
        return f"{self.name}（{mask_id(self.id_number)}）"

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)
