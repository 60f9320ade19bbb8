"""The filed institution's life after filing (issue 4): change filings, branch reports,
cancellation, stop orders for unfiled bodies, and requests to add a project to the catalogue.

Validity and renewal need no model of their own: the end date is ``Institution.valid_until``
and ``Filing.valid_until``, a renewal is an ``Application`` of kind ``RENEWAL``, and the
reminders are notices with a dedupe key. Scope suspension lives on ``InstitutionScope``.

Each status is a ``TextChoices`` with its allowed moves in a ``TRANSITIONS`` table beside it;
the services in ``registry.services.lifecycle`` check a move under a row lock.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

__all__ = [
    "BranchReport",
    "CancellationRequest",
    "ChangeFiling",
    "ProjectRequest",
    "StopOrder",
]


class ChangeFiling(models.Model):
    """变更备案: a change of scope, venue or identity, approved or refused by the authority.

    001 四(一): scope and venue changes go to the authority the tiers name for the new scope;
    001 四(二), 000 二(四), 002 第十一条: name, head, legal representative and address go to
    the original authority. 001 四: materials before the change or within 5 working days after.
    """

    class Kind(models.TextChoices):
        SCOPE = "scope", "鉴定职业（工种）/考核项目、等级变更"
        VENUE = "venue", "场所变更"
        IDENTITY = "identity", "名称、负责人、法定代表人、地址变更"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已报送，待审核"
        EVALUATING = "evaluating", "新增项目评估中"
        EVALUATED = "evaluated", "评估完成，待审核"
        APPROVED = "approved", "已变更备案"
        REFUSED = "refused", "不予变更"
        WITHDRAWN = "withdrawn", "已撤回"

    # move: (from statuses, to status, what a person calls it)
    TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
        "start_evaluation": (frozenset({Status.SUBMITTED}), Status.EVALUATING, "组织评估"),
        "conclude_evaluation": (frozenset({Status.EVALUATING}), Status.EVALUATED, "记录评估结论"),
        # An addition needing evaluation is approved only from EVALUATED (checked in the service).
        "approve": (frozenset({Status.SUBMITTED, Status.EVALUATED}), Status.APPROVED, "准予变更"),
        "refuse": (frozenset({Status.SUBMITTED, Status.EVALUATING, Status.EVALUATED}), Status.REFUSED, "不予变更"),
        "withdraw": (frozenset({Status.SUBMITTED}), Status.WITHDRAWN, "撤回"),
    }
    OPEN = frozenset({Status.SUBMITTED, Status.EVALUATING, Status.EVALUATED})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="change_filings", verbose_name="机构")
    kind = models.CharField("变更类别", max_length=20, choices=Kind.choices)
    # The change itself, validated by services.lifecycle.ChangeContent: {"name", "organisation_name",
    # "head_name", "legal_representative", "address", "venue", "add": [...], "remove": [...]}.
    changes = models.JSONField("变更内容")
    # The values before the change, kept so the record reads on its own years later.
    previous = models.JSONField("变更前内容", default=dict)
    document = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="证明材料")
    change_date = models.DateField("变更（拟变更）日期")
    reported_at = models.DateTimeField("报送时间")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # 001 四: the last day to report a change that has already happened (None: the pack fixes no period).
    report_due = models.DateField("报送期限", null=True, blank=True)
    report_due_provisional = models.BooleanField(default=False)
    late = models.BooleanField("逾期报送", default=False)
    window_source = models.CharField("报送时限依据", max_length=100, blank=True)

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="change_filings",
                                  verbose_name="办理部门")
    routing_source = models.CharField("办理部门依据", max_length=100, blank=True)
    region_code = models.CharField("机构所在地", max_length=6, db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    evaluation_required = models.BooleanField("须经评估", default=False)
    evaluation_source = models.CharField("评估依据", max_length=100, blank=True)
    evaluation_started_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluation_passed = models.BooleanField(null=True, blank=True)
    evaluation_summary = models.TextField("评估结论", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="经办人")

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审核人")
    decision_reason = models.TextField("审核意见", blank=True)
    decision_source = models.CharField("审核依据", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更备案"
        ordering = ["-reported_at"]
        indexes = [
            # The authority's list of pending changes (lifecycle index page).
            models.Index(fields=["authority", "status"], name="change_filing_worklist"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["scope", "venue", "identity"]),
                                   name="change_filing_kind"),
            # An approval needing evaluation carries a passed evaluation (002 第十条).
            models.CheckConstraint(
                condition=~models.Q(status="approved", evaluation_required=True)
                | models.Q(evaluation_passed=True),
                name="change_filing_added_scope_evaluated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()}（{self.get_status_display()}）"


class BranchReport(models.Model):
    """003 三(五): a branch or region-level body reports to a city before it works there."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="branch_reports", verbose_name="机构")
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="branch_reports",
                                  verbose_name="报备的盟市人社部门")
    # The city where the work happens (its 6-digit code, e.g. 150300); scoping uses it, so the
    # city's officials see the reports made to them.
    region_code = models.CharField("开展评价工作实施地", max_length=6, db_index=True)
    branch_name = models.CharField("分支机构名称", max_length=200, blank=True)
    address = models.CharField("实施地点", max_length=300, blank=True)
    starts_on = models.DateField("拟开始日期")
    note = models.TextField("说明", blank=True)
    document = models.ForeignKey("files.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="报备材料")
    source = models.CharField("依据条款", max_length=100, blank=True)
    reported_at = models.DateTimeField("报备时间")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分支机构报备"
        ordering = ["-reported_at"]
        constraints = [
            # One standing report per institution and city: may_work_in looks for it.
            models.UniqueConstraint(fields=["institution", "region_code"],
                                    condition=models.Q(withdrawn_at__isnull=True),
                                    name="branch_report_one_standing_per_city"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} → {self.authority}"


class CancellationRequest(models.Model):
    """注销: the institution asks in writing (000 二(四), 001 四(三)); the authority confirms."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "已申请，待确认"
        CONFIRMED = "confirmed", "已注销"
        WITHDRAWN = "withdrawn", "已撤回"

    TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
        "confirm": (frozenset({Status.REQUESTED}), Status.CONFIRMED, "确认注销"),
        "withdraw": (frozenset({Status.REQUESTED}), Status.WITHDRAWN, "撤回"),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT,
                                    related_name="cancellation_requests", verbose_name="机构")
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="原备案部门")
    region_code = models.CharField("机构所在地", max_length=6, db_index=True)
    reason = models.TextField("注销原因")
    document = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="书面申请")
    source = models.CharField("依据条款", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "注销申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["institution"], condition=models.Q(status="requested"),
                                    name="cancellation_one_open_per_institution"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} 注销（{self.get_status_display()}）"


class StopOrder(models.Model):
    """001 五(五): an unfiled body assessing on its own is ordered to stop. A record, not a filing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="stop_orders",
                                  verbose_name="作出责令的部门")
    body_name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region_code = models.CharField("所在地", max_length=6, db_index=True)
    # A body already registered here (not filed) is linked; most are not in the system at all.
    institution = models.ForeignKey("registry.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="stop_orders")
    facts = models.TextField("违规事实")
    document = models.ForeignKey("files.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="责令停止通知书")
    source = models.CharField("依据条款", max_length=100, blank=True)
    ordered_on = models.DateField("责令日期")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "责令停止记录"
        ordering = ["-ordered_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"责令停止：{self.body_name}"


class ProjectRequest(models.Model):
    """004 四(二)(三): a request to add a 专项职业能力考核项目 to the province's catalogue.

    From the national (部中心) or another province's catalogue (with specification and question
    bank), or a new project whose specification and question bank the institution had written:
    province review → sent to the 部中心 for filing → filed, and then it joins the catalogue.
    """

    class Origin(models.TextChoices):
        NATIONAL = "national", "部中心公布的项目"
        OTHER_PROVINCE = "other_province", "其他省份公布的项目"
        NEW = "new", "新开发项目"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交，待省鉴定中心审定"
        REVIEWED = "reviewed", "省级审定通过"
        SENT = "sent", "已报部中心备案"
        FILED = "filed", "部中心已备案，纳入目录"
        REFUSED = "refused", "审定未通过"

    TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
        "review": (frozenset({Status.SUBMITTED}), Status.REVIEWED, "审定通过"),
        "send": (frozenset({Status.REVIEWED}), Status.SENT, "报部中心备案"),
        "file": (frozenset({Status.SENT}), Status.FILED, "登记部中心备案结果"),
        "refuse": (frozenset({Status.SUBMITTED, Status.REVIEWED}), Status.REFUSED, "审定不通过"),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The province whose catalogue the project joins (its 6-digit code, e.g. 620000).
    region_code = models.CharField("目录所属省份", max_length=6, db_index=True)
    origin = models.CharField("项目来源", max_length=20, choices=Origin.choices)
    origin_note = models.CharField("来源说明", max_length=200, blank=True)  # which province / national code
    name = models.CharField("项目名称", max_length=100)
    code = models.CharField("项目编码", max_length=40, blank=True)
    specification = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+",
                                      verbose_name="考核规范")
    question_bank = models.BooleanField("有题（卷）库", default=False)
    question_bank_file = models.ForeignKey("files.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name="题（卷）库材料")
    reason = models.TextField("申请理由（产业发展、乡村振兴、促进就业需要）", blank=True)
    institution = models.ForeignKey("registry.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="project_requests", verbose_name="提出机构")
    source = models.CharField("依据条款", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    sent_at = models.DateTimeField("报部中心时间", null=True, blank=True)
    filed_at = models.DateTimeField("部中心备案时间", null=True, blank=True)
    national_reference = models.CharField("部中心备案文号/编号", max_length=100, blank=True)
    decision_reason = models.TextField("审定意见", blank=True)
    project = models.OneToOneField("registry.SpecialProject", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="request", verbose_name="纳入目录的项目")

    class Meta:
        verbose_name = verbose_name_plural = "考核项目增设申请"
        ordering = ["-requested_at"]
        constraints = [
            # 004 四(二)(三): a project joins the catalogue only with its question bank.
            models.CheckConstraint(condition=~models.Q(status="filed") | models.Q(question_bank=True),
                                   name="project_request_filed_has_question_bank"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"
