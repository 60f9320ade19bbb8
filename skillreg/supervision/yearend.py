"""The city's year-end summary of its filed bodies' work, as XLSX.

003 六: 各盟市要统筹管理好辖区内评价机构，每年年底将本地区技能等级开展情况总结上报自治区就业
服务中心. The application rolls the figures up from its own records (exams held, candidates,
certificates, inspections, violations, complaints), per body and in total, so the city
reports what the records say.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from skillreg.accounts.models import Authority, Role
from skillreg.core import clock
from skillreg.core.spreadsheet import safe_cell
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Filing, Institution
from skillreg.supervision.models import Complaint, Evaluation, Inspection, ViolationRecord
from skillreg.supervision.services.common import NotAllowed, is_official

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASIS = "003 六"
BASIS_TEXT = "各盟市要统筹管理好辖区内评价机构，每年年底将本地区技能等级开展情况总结上报自治区就业服务中心"

# The per-body columns: (header, key). Order is the sheet's.
COLUMNS = [
    ("考核场次", "sittings"),
    ("报名人数", "registered"),
    ("实际参加考核人数", "sat"),
    ("考核合格人数", "passed"),
    ("发放证书数", "certificates"),
    ("其中已撤销证书", "certificates_revoked"),
    ("抽查检查次数", "inspections"),
    ("检查发现问题次数", "inspections_with_issues"),
    ("违规记录数", "violations"),
    ("投诉举报件数", "complaints"),
]


@dataclass
class BodyRow:
    institution: Institution
    figures: dict[str, int] = field(default_factory=dict)
    grade: str = ""


@dataclass
class YearEndSummary:
    city: Authority
    year: int
    rows: list[BodyRow]
    generated_at: dt.datetime

    @property
    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for row in self.rows:
            total.update(row.figures)
        return {key: total.get(key, 0) for _, key in COLUMNS}

    @property
    def bases(self) -> list[str]:
        """003 六 always (the city's duty), with what each body's own pack says about annual summaries."""
        seen = [f"{BASIS}：{BASIS_TEXT}"]
        for pack_id in sorted({row.institution.pack_id for row in self.rows}):
            flag = get_pack(pack_id).supervision.year_end_summary
            line = f"{flag.source}：{flag.text}" if flag.value and flag.source else ""
            if line and line not in seen and not line.startswith(BASIS):
                seen.append(line)
        return seen


def city_for(user: Any, region_code: str) -> Authority:
    """The city (市/盟) authority of ``region_code`` if the user's jurisdiction covers it.

    A city official sees their own city, a province official every city of the province;
    anything else is 404, like a city that does not exist.
    """
    if not is_official(user):
        raise NotAllowed("只有备案部门的工作人员可以导出年度总结")
    city = (Authority.objects.filter(region_code=region_code or "", level=Authority.Level.CITY)
            .order_by("kind").first())
    if city is None:
        raise Http404("未找到该地区")
    if user.role != Role.SYSADMIN and (user.authority is None or not user.authority.covers(city.region_code)):
        raise Http404("未找到该地区")
    return city


def cities_for(user: Any) -> list[Authority]:
    """The cities the user may export: their own, or every city of their province."""
    cities = Authority.objects.filter(level=Authority.Level.CITY, kind=Authority.Kind.HRSS).order_by("region_code")
    if user.role == Role.SYSADMIN:
        return list(cities)
    if not is_official(user) or user.authority is None:
        return []
    return [c for c in cities if user.authority.covers(c.region_code)]


def _count_by(qs: Any, key: str = "institution_id", **extra: Any) -> dict[int, dict[str, int]]:
    return {row[key]: row for row in qs.values(key).annotate(**extra)}


def year_end_summary(city: Authority, year: int) -> YearEndSummary:
    """Every body of the city filed by the end of ``year``, with its figures for ``year``."""
    from skillreg.certificates.models import Certificate
    from skillreg.exams.models import ExamPlan, Registration
    from skillreg.exams.selectors import HELD_STATUSES

    prefix = city.jurisdiction_prefix
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=clock.LOCAL_TZ)
    filed_ids = Filing.objects.filter(institution__region_code__startswith=prefix, filed_at__lt=year_end) \
        .values("institution_id")
    # Filed by the end of the year (a body on file without its filing row counts by registration).
    bodies = list(Institution.objects.filter(
        Q(pk__in=filed_ids) | Q(region_code__startswith=prefix, registered_at__lt=year_end,
                                status__in=[Institution.Status.FILED, Institution.Status.SUSPENDED]),
    ).order_by("region_code", "name"))
    ids = [b.pk for b in bodies]

    # Exams held in the year: the application approved (the same test as the inactivity flag).
    held = ExamPlan.objects.filter(institution_id__in=ids, status__in=HELD_STATUSES, exam_start__year=year)
    sittings = _count_by(held, n=Count("pk"))
    regs = Registration.objects.filter(plan__in=held, status=Registration.Status.REGISTERED)
    candidates = _count_by(regs, key="plan__institution_id", registered=Count("pk"),
                           sat=Count("pk", filter=Q(absent=False)), passed=Count("pk", filter=Q(passed=True)))
    certs = _count_by(Certificate.objects.filter(institution_id__in=ids, issued_on__year=year),
                      n=Count("pk"), revoked=Count("pk", filter=Q(status=Certificate.Status.REVOKED)))
    inspections = _count_by(Inspection.objects.filter(institution_id__in=ids, plan__year=year),
                            n=Count("pk"), issues=Count("pk", filter=Q(result__in=[
                                Inspection.Result.ISSUES, Inspection.Result.SERIOUS])))
    violations = _count_by(ViolationRecord.objects.filter(institution_id__in=ids, recorded_at__year=year),
                           n=Count("pk"))
    complaints = _count_by(Complaint.objects.filter(institution_id__in=ids, received_at__year=year), n=Count("pk"))
    grades: dict[int, str] = {}
    for ev in Evaluation.objects.filter(institution_id__in=ids, evaluated_at__year=year).order_by("evaluated_at"):
        grades[ev.institution_id] = ev.grade  # the last grade of the year

    rows = []
    for body in bodies:
        c = candidates.get(body.pk, {})
        cert = certs.get(body.pk, {})
        insp = inspections.get(body.pk, {})
        rows.append(BodyRow(institution=body, grade=grades.get(body.pk, ""), figures={
            "sittings": sittings.get(body.pk, {}).get("n", 0),
            "registered": c.get("registered", 0), "sat": c.get("sat", 0), "passed": c.get("passed", 0),
            "certificates": cert.get("n", 0), "certificates_revoked": cert.get("revoked", 0),
            "inspections": insp.get("n", 0), "inspections_with_issues": insp.get("issues", 0),
            "violations": violations.get(body.pk, {}).get("n", 0),
            "complaints": complaints.get(body.pk, {}).get("n", 0),
        }))
    return YearEndSummary(city=city, year=year, rows=rows, generated_at=clock.now())




def filename(summary: YearEndSummary) -> str:
    return f"{summary.city.region_name}{summary.year}年度考核评价机构工作总结.xlsx"


def to_xlsx(summary: YearEndSummary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    title = f"{summary.city.region_name}{summary.year}年度考核评价机构工作情况总结"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["地区", f"{summary.city.region_name}（{summary.city.region_code}）"])
    sheet.append(["年度", summary.year])
    for n, line in enumerate(summary.bases):
        sheet.append(["依据" if n == 0 else "", line])
    sheet.append(["生成时间", f"{summary.generated_at.astimezone(clock.LOCAL_TZ):%Y-%m-%d %H:%M}"])
    sheet.append(["统计口径", "备案截至当年年底的机构；考核场次按考核开始日期、以考核申请已核准为准；"
                  "证书按发证日期；检查按计划年度；违规、投诉按登记日期"])
    sheet.append([])
    sheet.append(["项目", "数量"])
    totals = summary.totals
    sheet.append(["机构数", len(summary.rows)])
    for header, key in COLUMNS:
        sheet.append([header, totals[key]])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    detail = book.create_sheet("分机构")
    headers = ["序号", "机构名称", "机构代码", "所在地区划代码", "适用政策包", "当前状态", *(h for h, _ in COLUMNS),
               "年度评估等级"]
    detail.append(headers)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for n, row in enumerate(summary.rows, start=1):
        inst = row.institution
        detail.append([safe_cell(v) for v in (n, inst.name, inst.code or "", inst.region_code, inst.pack_id,
                                          inst.get_status_display(), *(row.figures[k] for _, k in COLUMNS),
                                          row.grade or "—")])
    detail.append(["合计", "", "", "", "", "", *(totals[k] for _, k in COLUMNS), ""])
    detail.column_dimensions["B"].width = 40
    detail.freeze_panes = "C2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
