"""Branch reports and places of work (003 三(五))."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse

from skillreg.accounts.models import Authority, User
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.services import notify, recipients_for_authority
from skillreg.policies.registry import get_pack
from skillreg.registry.models import (
    BranchReport,
    Institution,
)
from skillreg.registry.services.lifecycle._common import (
    IS,
    _local_date,
    _lock_institution,
    _require_institution_user,
    filing_authority,
)

# --- branch reports and places of work (003 三(五)) ------------------------------------------


def _city_code(region_code: str) -> str:
    return region_code[:4] + "00"


def home_prefix(institution: Institution) -> str:
    """Where the institution works without a report.

    003 三(五): a pack with branch reporting (nm-2021) allows only its own 盟市 — even a
    region-level (区直) body reports to each other city. Elsewhere, the jurisdiction of the
    authority that filed it (a province-filed body works province-wide).
    """
    if get_pack(institution.pack_id).conduct.branch_report.value:
        return institution.region_code[:4]
    return filing_authority(institution).jurisdiction_prefix


def may_work_in(institution: Institution, region_code: str, *, on: dt.date | None = None) -> bool:
    """Whether the institution may assess in ``region_code`` (6 digits) — on day ``on`` if given.

    True only for a filed (listed, not suspended as a whole) institution, in its own area
    (``home_prefix``) or in a city it reported to before working there (003 三(五)).
    The exams app calls this before accepting an exam plan.
    """
    if institution.status != IS.FILED:
        return False
    if region_code.startswith(home_prefix(institution)):
        return True
    reports = BranchReport.objects.filter(institution=institution, region_code=_city_code(region_code),
                                          withdrawn_at__isnull=True)
    if on is not None:
        reports = reports.filter(starts_on__lte=on)
        return any(_local_date(r.reported_at) <= on for r in reports)
    return reports.exists()


@transaction.atomic
def branch_report_make(*, actor: User, institution: Institution, region_code: str, starts_on: dt.date,
                       at: dt.datetime, branch_name: str = "", address: str = "", note: str = "",
                       upload: Any = None) -> BranchReport:
    """报备: to the city's 人社部门 before working there (003 三(五))."""
    _require_institution_user(actor, institution)
    institution = _lock_institution(institution)
    if institution.status != IS.FILED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能报备", code="not_filed")
    pack = get_pack(institution.pack_id)
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise InvalidInput("实施地应为 6 位行政区划代码", field="region_code")
    if not region_code.startswith(pack.region.code[:2]):
        raise InvalidInput(f"实施地不在{pack.region.name}范围内", field="region_code")
    if region_code.startswith(home_prefix(institution)):
        raise InvalidInput("在本机构备案范围所在地开展工作无需报备", field="region_code")
    if starts_on < _local_date(at):
        raise InvalidInput("须在开展工作前报备：拟开始日期不能早于今天", field="starts_on",
                           source=pack.conduct.branch_report.source)
    city = _city_code(region_code)
    authorities = Authority.objects.filter(level=Authority.Level.CITY, region_code=city)
    authority = authorities.filter(kind=Authority.Kind.HRSS).first() or authorities.first()
    if authority is None:
        raise InvalidInput(f"系统中没有 {city} 对应的盟市人社部门，请联系系统管理员", field="region_code")
    if BranchReport.objects.filter(institution=institution, region_code=city, withdrawn_at__isnull=True).exists():
        raise DomainError(f"已向{authority.name}报备", code="already_reported")
    document = file_store(actor=actor, upload=upload, at=at, field="document") if upload is not None else None
    report = BranchReport.objects.create(
        institution=institution, authority=authority, region_code=city, branch_name=branch_name.strip(),
        address=address.strip(), starts_on=starts_on, note=note.strip(), document=document,
        source=pack.conduct.branch_report.source or "", reported_at=at, reported_by=actor,
    )
    audit.record(actor=actor, action="branch_report.made", obj=report, at=at,
                 summary=f"向{authority.name}报备，拟于 {starts_on:%Y-%m-%d} 开始", after={"region_code": city})
    recipients = list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject="收到分支机构报备",
               body=f"{institution.name}报备将于 {starts_on:%Y年%-m月%-d日} 起在本地开展评价工作。",
               link=reverse("registry:lifecycle"), related=report, at=at)
    return report


@transaction.atomic
def branch_report_withdraw(*, actor: User, report: BranchReport, at: dt.datetime) -> BranchReport:
    _require_institution_user(actor, report.institution)
    report = BranchReport.objects.select_for_update().get(pk=report.pk)
    if report.withdrawn_at is not None:
        raise IllegalTransition("该报备已撤销")
    report.withdrawn_at = at
    report.save(update_fields=["withdrawn_at"])
    audit.record(actor=actor, action="branch_report.withdrawn", obj=report, at=at)
    return report
