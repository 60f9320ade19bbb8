"""Annual work plan and summary (002 第五条(五): 定期向市人力资源社会保障部门报告工作，每年提交
年度工作计划和总结). Institutions submit; the authority sees who has and who has not.

The document sets no date. The pack says so (``supervision.annual_reports`` with ``null`` and
a note) and the deadline is then this module's configurable default, always shown as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from skillreg.accounts.models import Role
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.selectors import recipients_for_authority
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import PolicyAnnualReports
from skillreg.registry.models import Filing, Institution
from skillreg.supervision.models import AnnualReport
from skillreg.supervision.services.common import NotAllowed, local_date

# The document is silent on the dates: system defaults, configurable in settings.
# The plan by this day of its own year, the summary by this day of the following year.
DEFAULT_PLAN_DUE = "01-31"
DEFAULT_SUMMARY_DUE = "01-31"
CONTENT_MAX = 20000
MAX_ATTACHMENTS = 5
# Bodies that still owe reports: filed, or filed and suspended (002 第五条 binds them both).
OBLIGED_STATUSES = (Institution.Status.FILED, Institution.Status.SUSPENDED)


def rule_for(pack_id: str) -> PolicyAnnualReports | None:
    """The pack's annual-report rule, or None when its document sets no such duty."""
    return get_pack(pack_id).supervision.annual_reports


def _month_day(value: str, year: int) -> dt.date:
    month, day = (int(part) for part in value.split("-"))
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return dt.date(year, month, day)


def due_date(rule: PolicyAnnualReports, kind: str, year: int) -> tuple[dt.date, str]:
    """(deadline, how it is fixed) for the ``kind`` report of ``year``."""
    is_plan = kind == AnnualReport.Kind.PLAN
    fixed = rule.plan_due if is_plan else rule.summary_due
    in_year = year if is_plan else year + 1
    label = AnnualReport.Kind(kind).label
    if fixed:
        due = _month_day(fixed, in_year)
        return due, f"{rule.source}：{label}于{due.year}年{due.month}月{due.day}日前报送"
    setting = "SKILLREG_ANNUAL_PLAN_DUE" if is_plan else "SKILLREG_ANNUAL_SUMMARY_DUE"
    default = DEFAULT_PLAN_DUE if is_plan else DEFAULT_SUMMARY_DUE
    due = _month_day(str(getattr(settings, setting, default)), in_year)
    when = "当年" if is_plan else "次年"
    return due, (f"{rule.source}要求“{rule.text or '每年提交年度工作计划和总结'}”，未规定报送时间；"
                 f"系统默认{label}于{when}{due.month}月{due.day}日前报送（可配置）")


def filed_on(institution: Institution) -> dt.date:
    """The day the body was first filed (its registration where no filing is recorded).

    A list may annotate ``first_filed_at`` (Min of the filings' ``filed_at``) to spare a query each.
    """
    if hasattr(institution, "first_filed_at"):
        first_at = institution.first_filed_at
    else:
        first = Filing.objects.filter(institution=institution).order_by("filed_at").first()
        first_at = first.filed_at if first else None
    return local_date(first_at or institution.registered_at)


def is_required(institution: Institution, kind: str, year: int, due: dt.date, filed: dt.date | None = None) -> bool:
    """A body filed after the plan's deadline owes no plan for that year; a summary is owed
    for every year in which it was filed."""
    filed = filed or filed_on(institution)
    if kind == AnnualReport.Kind.PLAN:
        return filed <= due
    return filed <= dt.date(year, 12, 31)


def _check_year(kind: str, year: int, today: dt.date, filed: dt.date) -> None:
    if year < filed.year:
        raise InvalidInput(f"本机构于{filed.year}年备案，不能报送此前年度的材料", field="year")
    latest = today.year + 1 if kind == AnnualReport.Kind.PLAN else today.year
    if year > latest:
        what = "下一年度的工作计划" if kind == AnnualReport.Kind.PLAN else "当年及以前年度的工作总结"
        raise InvalidInput(f"只能报送{what}", field="year")


@transaction.atomic
def annual_report_submit(*, actor: Any, kind: str, year: int, content: str, at: dt.datetime,
                         attachments: Sequence[UploadedFile] = ()) -> AnnualReport:
    """002 第五条(五): the institution submits its annual work plan or summary, once per year."""
    if actor is None or not actor.is_authenticated or actor.role != Role.INSTITUTION_USER \
            or actor.institution_id is None:
        raise NotAllowed("年度工作计划和总结由机构用户报送")
    institution = Institution.objects.select_for_update().select_related("authority").get(pk=actor.institution_id)
    rule = rule_for(institution.pack_id)
    if rule is None:
        raise DomainError("本机构适用的文件未要求报送年度工作计划和总结", code="not_required")
    if institution.status not in OBLIGED_STATUSES:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，无需报送", code="not_filed")
    if kind not in AnnualReport.Kind.values:
        raise InvalidInput("请选择报送的材料类别", field="kind")
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写内容", field="content")
    if len(content) > CONTENT_MAX:
        raise InvalidInput(f"内容不能超过 {CONTENT_MAX} 字，详细材料请作为附件上传", field="content")
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(f"附件最多 {MAX_ATTACHMENTS} 个", field="attachments")
    today = local_date(at)
    _check_year(kind, year, today, filed_on(institution))
    label = AnnualReport.Kind(kind).label
    if AnnualReport.objects.filter(institution=institution, year=year, kind=kind).exists():
        raise DomainError(f"{year}年{label}已报送", code="already_submitted", source=rule.source)
    due, basis = due_date(rule, kind, year)
    stored = [file_store(actor=actor, upload=f, at=at, field="attachments") for f in attachments]
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(
                institution=institution, region_code=institution.region_code, year=year, kind=kind,
                content=content, due=due, due_source=basis, late=today > due, source=rule.source or "",
                submitted_by=actor, submitted_at=at)
    except IntegrityError as exc:  # a second tab submitted the same report meanwhile
        raise DomainError(f"{year}年{label}已报送", code="already_submitted", source=rule.source) from exc
    if stored:
        report.attachments.add(*stored)
    audit.record(actor=actor, action="supervision.annual_report_submitted", obj=report, at=at,
                 summary=f"报送{year}年{label}",
                 after={"institution": str(institution.public_id), "year": year, "kind": kind,
                        "due": due.isoformat(), "late": report.late, "source": report.source})
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_authority(institution.authority), subject=f"机构报送{label}",
        body=f"{institution.name}报送了{year}年{label}" + ("（逾期）。" if report.late else "。"),
        link=f"/supervision/reports/{report.public_id}/", related=report, at=at))
    return report


@dataclass
class ReportState:
    """One institution's plan or summary for a year, as the authority sees it."""

    kind: str
    due: dt.date
    due_source: str
    required: bool
    report: AnnualReport | None
    today: dt.date | None = None  # for pages: the day the state is read
    year: int = 0

    @property
    def status_today(self) -> str:
        return self.status(self.today or clock.today())

    @property
    def is_overdue_today(self) -> bool:
        return self.overdue(self.today or clock.today())

    @property
    def label(self) -> str:
        return AnnualReport.Kind(self.kind).label

    def status(self, today: dt.date) -> str:
        if self.report is not None:
            return "逾期报送" if self.report.late else "已按期报送"
        if not self.required:
            return "不适用（备案晚于报送期限）"
        return "逾期未报送" if today > self.due else "待报送"

    def overdue(self, today: dt.date) -> bool:
        """Missing after the deadline (the day after the deadline is the first overdue day)."""
        return self.report is None and self.required and today > self.due


def states_for(institution: Institution, year: int,
               reports: dict[tuple[int, str], AnnualReport] | None = None,
               today: dt.date | None = None) -> list[ReportState]:
    """The plan and the summary of ``year`` for one institution; [] where no duty applies."""
    rule = rule_for(institution.pack_id)
    if rule is None:
        return []
    if reports is None:
        reports = {(r.year, r.kind): r for r in institution.annual_reports.filter(year=year)}
    states = []
    filed = filed_on(institution)
    for kind in AnnualReport.Kind.values:
        due, basis = due_date(rule, kind, year)
        states.append(ReportState(kind=kind, due=due, due_source=basis,
                                  required=is_required(institution, kind, year, due, filed),
                                  report=reports.get((year, kind)), today=today, year=year))
    return states
