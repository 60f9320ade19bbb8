"""Validity and renewal (000 二(四), 002 第十条, 004 五(五)): expiry, reminders, renewals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from skillreg.accounts.models import User
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.notifications.services import notify, recipients_for_authority, recipients_for_institution
from skillreg.policies.registry import get_pack
from skillreg.registry import workflow
from skillreg.registry.application_form import ApplicationForm, ScopeItem
from skillreg.registry.models import (
    Application,
    ApplicationMaterial,
    Institution,
)
from skillreg.registry.services.applications import application_create
from skillreg.registry.services.lifecycle._common import (
    IS,
    LISTED,
    REMINDER_DAYS,
    _add_years,
    _link,
    _local_date,
    _lock_institution,
    _notify_both,
    _require_institution_user,
    filing_authority,
    last_filing,
    republish,
)

# --- validity and renewal ------------------------------------------------------------------


def renewal_in_time(institution: Institution) -> Application | None:
    """An open renewal submitted on or before the last day of validity: it keeps the entry
    active until decided (issue 4, 000 二(四) 到期后仍有意愿继续承担工作的，履行相应备案程序)."""
    if institution.valid_until is None:
        return None
    for application in (Application.objects.filter(institution=institution, kind=Application.Kind.RENEWAL,
                                                   status__in=workflow.OPEN_STATUSES, submitted_at__isnull=False)
                        .order_by("submitted_at")):
        if application.submitted_at and _local_date(application.submitted_at) <= institution.valid_until:
            return application
    return None


@transaction.atomic
def institution_expire(*, institution: Institution, at: dt.datetime) -> Institution | None:
    """The day after ``valid_until``: expired, out of the active directory. By the system.

    Returns None (and changes nothing) when the institution is not due: still valid, already
    out of the directory, or renewing in time.
    """
    institution = _lock_institution(institution)
    today = _local_date(at)
    if (institution.status not in LISTED or institution.valid_until is None
            or today <= institution.valid_until or renewal_in_time(institution) is not None):
        return None
    pack = get_pack(institution.pack_id)
    before = {"status": institution.status, "valid_until": institution.valid_until}
    institution.status = IS.EXPIRED
    institution.save(update_fields=["status"])
    audit.record(actor=None, action="institution.expired", obj=institution, at=at,
                 summary=f"备案有效期已于 {institution.valid_until:%Y年%-m月%-d日} 届满，移出有效目录"
                         f"（{pack.validity.source or ''}）",
                 before=before, after={"status": institution.status})
    republish(institution=institution, actor=None, at=at)
    _notify_both(institution, subject="备案有效期已届满",
                 body=f"{institution.name}的备案有效期已于 {institution.valid_until:%Y年%-m月%-d日} 届满，"
                      "已移出有效机构目录。如需继续开展考核工作，请重新申请备案。",
                 at=at, dedupe_key=f"validity-expired:{institution.public_id}:{institution.valid_until}",
                 authorities=(filing_authority(institution), institution.authority))
    return institution


def validity_remind(*, institution: Institution, days: int, at: dt.datetime) -> int:
    """The ``days``-before reminder; the dedupe key makes a second sweep send nothing."""
    if institution.valid_until is None:
        return 0
    created = 0
    with transaction.atomic():
        recipients = list(recipients_for_institution(institution))
        for authority in dict.fromkeys((filing_authority(institution), institution.authority)):
            recipients += list(recipients_for_authority(authority))
        if recipients:
            created = len(notify(
                recipients=recipients, subject=f"备案有效期将于 {days} 日内届满",
                body=f"{institution.name}（机构代码 {institution.code}）的备案有效期至 "
                     f"{institution.valid_until:%Y年%-m月%-d日}。如需继续开展考核工作，请在期满前提交延续备案申请。",
                link=_link(institution), related=institution, at=at,
                dedupe_key=f"validity-{days}:{institution.public_id}:{institution.valid_until.isoformat()}",
            ))
    return created


@dataclass
class ValidityReport:
    reminded: dict[int, int] = field(default_factory=dict)  # days → notices created
    expired: list[str] = field(default_factory=list)  # codes
    kept_by_renewal: list[str] = field(default_factory=list)

    def summary(self) -> str:
        reminders = "，".join(f"{d} 日提醒 {n} 条" for d, n in sorted(self.reminded.items(), reverse=True))
        return (f"有效期巡检完成：{reminders or '无提醒'}；到期移出目录 {len(self.expired)} 家；"
                f"已按时申请延续、保留在目录中 {len(self.kept_by_renewal)} 家。")


def sweep_validity(*, at: dt.datetime | None = None) -> ValidityReport:
    """Reminders before the end and expiry the day after; safe to run any number of times."""
    at = at or clock.now()
    today = _local_date(at)
    report = ValidityReport(reminded={d: 0 for d in REMINDER_DAYS})
    listed = Institution.objects.filter(status__in=LISTED, valid_until__isnull=False).select_related("authority")
    # Reminders: the nearest reminder whose window has opened; one that a down day skipped is
    # sent late rather than never, but a 90-day notice is not sent once the 30-day one is due.
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    for institution in listed.filter(valid_until__gte=today, valid_until__lte=horizon):
        if institution.valid_until is None:  # excluded by the query; keeps the type checker sure
            continue
        left = (institution.valid_until - today).days
        due = min((d for d in REMINDER_DAYS if left <= d), default=None)
        if due is None or renewal_in_time(institution) is not None:
            continue
        report.reminded[due] += validity_remind(institution=institution, days=due, at=at)
    for institution in listed.filter(valid_until__lt=today):
        # Each in its own transaction: one failure does not undo the others.
        if institution_expire(institution=institution, at=at) is not None:
            report.expired.append(institution.code or str(institution.pk))
        else:
            report.kept_by_renewal.append(institution.code or str(institution.pk))
    return report


def renewal_validity(*, institution: Institution, years: int | None, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """(valid_from, valid_until) of a renewal: it continues from the old end date, so the
    validity has no gap and no overlap, even when the decision comes after the old end
    (the renewal was submitted in time and kept the entry active)."""
    old_end = institution.valid_until
    start = old_end + dt.timedelta(days=1) if old_end is not None else today
    return start, (_add_years(start, years) - dt.timedelta(days=1) if years else None)


def _current_scope_items(institution: Institution) -> list[ScopeItem]:
    items: dict[str, ScopeItem] = {}
    for row in institution.scope.select_related("occupation").order_by("name", "-level"):
        item = items.get(row.name)
        if item is None:
            item = items[row.name] = ScopeItem(
                name=row.name, occupation_code=row.occupation.code if row.occupation else None,
                levels=[], assessors=row.assessors)
        if row.level is not None:
            item.levels.append(row.level)
    return list(items.values())


@transaction.atomic
def renewal_start(*, actor: User, institution: Institution, at: dt.datetime) -> Application:
    """延续备案: a new application of kind RENEWAL carrying over the last filed form and its
    materials, with the scope, name and head as they now stand (approved changes included).
    It then goes through the normal application services (submit, accept, evaluate, file)."""
    _require_institution_user(actor, institution)
    institution = _lock_institution(institution)
    if institution.status not in LISTED or institution.valid_until is None:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，"
                          + ("且备案未设有效期，" if institution.valid_until is None else "")
                          + "不能申请延续备案", code="not_renewable")
    if Application.objects.filter(institution=institution, kind=Application.Kind.RENEWAL,
                                  status__in={Application.Status.DRAFT, *workflow.OPEN_STATUSES}).exists():
        raise DomainError("已有办理中的延续备案申请", code="renewal_open")
    filing = last_filing(institution)
    form = ApplicationForm.model_validate(filing.application.form if filing else {})
    form.scope = _current_scope_items(institution)
    if form.station_name:
        form.station_name = institution.name
    if institution.head_name:
        heads = form.staff_in("head")
        if heads:
            heads[0].name = institution.head_name
    application = application_create(actor=actor, institution=institution, kind=Application.Kind.RENEWAL,
                                     form=form.model_dump(mode="json"), at=at)
    if filing is not None:
        for material in filing.application.materials.filter(superseded=False):
            ApplicationMaterial.objects.create(application=application, key=material.key, file=material.file,
                                               uploaded_at=at, uploaded_by=actor)
    audit.record(actor=actor, action="application.renewal_started", obj=application, at=at,
                 summary=f"延续备案（原有效期至 {institution.valid_until:%Y-%m-%d}）",
                 after={"from_application": str(filing.application.public_id) if filing else None})
    return application
