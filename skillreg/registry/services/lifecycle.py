"""The filed institution's life (issue 4): validity and renewal, change filings, branch
reports, scope suspension, cancellation, stop orders and the project catalogue.

State changes are keyword-only functions with a required actor and time, one transaction,
the row locked and the move checked against the model's ``TRANSITIONS``, the audit event in
the same transaction, notices through ``notify`` (delivered after commit). Every change that
the public sees republishes the directory entry (``directory.publish`` keeps every version).

Reads other apps rely on (the exams app): :func:`may_work_in`, :func:`scope_is_active`,
:func:`is_catalogued`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.scoping import jurisdiction_q, scoped
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.services import notify, recipients_for_authority, recipients_for_institution
from skillreg.policies.registry import all_packs, get_pack
from skillreg.policies.schema import Pack
from skillreg.registry import eligibility, workflow
from skillreg.registry.application_form import LEVELS, ApplicationForm, ScopeItem
from skillreg.registry.directory import publish
from skillreg.registry.models import (
    Application,
    ApplicationMaterial,
    BranchReport,
    CancellationRequest,
    ChangeFiling,
    Filing,
    Institution,
    InstitutionScope,
    Occupation,
    ProjectRequest,
    SpecialProject,
    StopOrder,
)
from skillreg.registry.routing import route
from skillreg.registry.services.applications import application_create
from skillreg.workdays.calendar import WorkCalendar

IS = Institution.Status
# Statuses in which an institution is in the active directory and may work.
LISTED = frozenset({IS.FILED, IS.SUSPENDED})
OFFICIALS = (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL, Role.CENTRE_STAFF)

# Issue 4 (the product's rule, not a document's): reminders 90 and 30 days before the end.
REMINDER_DAYS = (90, 30)


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _require_institution_user(actor: User, institution: Institution) -> None:
    if actor.role != Role.INSTITUTION_USER or actor.institution_id != institution.pk:
        raise DomainError("只有本机构的用户可以办理此事项", code="forbidden")


def _require_official_of(actor: User, authority: Authority, *roles: Role) -> None:
    allowed = roles or OFFICIALS
    if actor.role not in allowed or actor.authority_id is None:
        raise DomainError("此事项须由" + "、".join(r.label for r in allowed) + "办理", code="forbidden")
    if actor.authority_id != authority.pk:
        raise DomainError(f"此事项由{authority.name}办理", code="forbidden")


def _require_covering_official(actor: User, institution: Institution, *roles: Role) -> None:
    allowed = roles or OFFICIALS
    if actor.role not in allowed or actor.authority is None:
        raise DomainError("此事项须由" + "、".join(r.label for r in allowed) + "办理", code="forbidden")
    if not actor.authority.covers(institution.region_code):
        raise DomainError("该机构不在您所在部门的管辖范围内", code="forbidden")


def _lock(obj: Model, move: str) -> Any:
    """Reload under SELECT ... FOR UPDATE and check the move against the model's table."""
    model: Any = type(obj)
    fresh = model.objects.select_for_update().get(pk=obj.pk)
    allowed, _, label = model.TRANSITIONS[move]
    if fresh.status not in allowed:
        raise IllegalTransition(
            f"当前状态为“{fresh.get_status_display()}”，不能{label}（可能已由他人办理，请刷新页面）")
    return fresh


def _move(obj: Any, move: str, **fields: Any) -> list[str]:
    obj.status = type(obj).TRANSITIONS[move][1]
    for key, value in fields.items():
        setattr(obj, key, value)
    return ["status", *fields]


def _lock_institution(institution: Institution) -> Institution:
    return Institution.objects.select_for_update().select_related("authority").get(pk=institution.pk)


def _link(institution: Institution) -> str:
    return reverse("registry:lifecycle_institution", args=[institution.public_id])


def last_filing(institution: Institution) -> Filing | None:
    return (Filing.objects.filter(institution=institution).select_related("application__authority")
            .order_by("-filed_at", "-pk").first())


def filing_authority(institution: Institution) -> Authority:
    """The authority that filed the institution (原备案部门): the last filed application's."""
    filing = last_filing(institution)
    if filing is not None and filing.application.authority is not None:
        return filing.application.authority
    return institution.authority


def republish(*, institution: Institution, actor: Any, at: dt.datetime) -> None:
    """A new directory version from the institution as it now is; active while it may work."""
    publish(institution=institution, actor=actor, at=at, active=institution.status in LISTED)


def _notify_both(institution: Institution, *, subject: str, body: str, at: dt.datetime,
                 related: Model | None = None, dedupe_key: str = "",
                 authorities: tuple[Authority, ...] = ()) -> None:
    recipients = list(recipients_for_institution(institution))
    for authority in dict.fromkeys(authorities):
        recipients += list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject=subject, body=body, link=_link(institution),
               related=related or institution, at=at, dedupe_key=dedupe_key)


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


# --- change filings (变更备案) ------------------------------------------------------------


class ScopeAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    occupation_code: str | None = Field(default=None, max_length=20)
    levels: list[int] = Field(default_factory=list)
    assessors: int = Field(default=0, ge=0, le=10000)


class ScopeRemove(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    level: int | None = Field(default=None, ge=1, le=5)  # None: every level of the name


class ChangeContent(BaseModel):
    """What changes. Identity: name, organisation_name (承办单位全称, for the naming rule),
    head_name, legal_representative, address. Venue: venue (and address). Scope: add, remove."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(default=None, max_length=200)
    organisation_name: str | None = Field(default=None, max_length=200)
    head_name: str | None = Field(default=None, max_length=50)
    legal_representative: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=300)
    venue: str | None = Field(default=None, max_length=2000)
    add: list[ScopeAdd] = Field(default_factory=list)
    remove: list[ScopeRemove] = Field(default_factory=list)


IDENTITY_FIELDS = ("name", "head_name", "legal_representative", "address")
IDENTITY_LABELS = {"name": "名称", "head_name": "负责人", "legal_representative": "法定代表人", "address": "地址"}


def parse_changes(kind: str, data: Any) -> ChangeContent:
    if kind not in ChangeFiling.Kind.values:
        raise InvalidInput("请选择变更类别", field="kind")
    try:
        content = ChangeContent.model_validate(data or {})
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"变更内容有误：{where}：{first['msg']}", field=f"changes.{where}") from exc
    identity = any(getattr(content, f) for f in IDENTITY_FIELDS)
    scope = bool(content.add or content.remove)
    if kind == ChangeFiling.Kind.IDENTITY and (scope or content.venue or not identity):
        raise InvalidInput("名称、负责人、法定代表人、地址变更只填写这几项中的变动内容", field="changes")
    if kind == ChangeFiling.Kind.SCOPE and (not scope or identity or content.venue):
        raise InvalidInput("范围变更须填写新增或减少的职业（工种）/项目及等级，且不含其他变更", field="changes")
    if kind == ChangeFiling.Kind.VENUE and (not content.venue or scope
                                            or any(getattr(content, f) for f in ("name", "head_name",
                                                                                 "legal_representative"))):
        raise InvalidInput("场所变更须填写变更后的场所情况", field="changes.venue")
    for item in content.add:
        if any(level not in LEVELS for level in item.levels):
            raise InvalidInput(f"“{item.name}”的等级应为 1（高级技师）至 5（初级）", field="changes.add")
    return content


def _catalogue_source(pack: Pack) -> str | None:
    """The clause restricting special projects to the province's catalogue (004 四, 000 二)."""
    if pack.body_kind.kind == "special_assessment_body" and pack.projects.catalogue.text:
        return pack.projects.catalogue.source
    return None


def _province_code(region_code: str) -> str:
    return region_code[:2] + "0000"


def is_catalogued(region_code: str, name: str) -> bool:
    """Whether ``name`` is an active project of the catalogue of ``region_code``'s province."""
    return SpecialProject.objects.filter(region_code=_province_code(region_code), name=name, active=True).exists()


def _levels_or_none(levels: list[int]) -> list[int | None]:
    """A special project has no levels: one scope row with level None."""
    return [*levels] or [None]


def _check_scope_change(pack: Pack, institution: Institution, content: ChangeContent) -> ApplicationForm:
    """The scope after the change (for routing), refusing additions that exist or removals that don't."""
    rows = {(r.name, r.level) for r in institution.scope.all()}
    for item in content.add:
        for level in _levels_or_none(item.levels):
            if (item.name, level) in rows:
                label = f"（{LEVELS[level]}）" if level else ""
                raise InvalidInput(f"“{item.name}{label}”已在备案范围内", field="changes.add")
        source = _catalogue_source(pack)
        if source and not is_catalogued(institution.region_code, item.name):
            raise DomainError(f"“{item.name}”不在本省专项职业能力考核项目目录中，须先申请增设项目",
                              code="not_catalogued", source=source)
    after = set(rows)
    for removal in content.remove:
        matched = {r for r in rows if r[0] == removal.name and (removal.level is None or r[1] == removal.level)}
        if not matched:
            raise InvalidInput(f"“{removal.name}”不在备案范围内，无法减少", field="changes.remove")
        after -= matched
    for item in content.add:
        after |= {(item.name, level) for level in _levels_or_none(item.levels)}
    if not after:
        raise DomainError("变更后将没有任何备案范围；终止考核工作的，请申请注销备案", code="empty_scope")
    by_name: dict[str, list[int]] = {}
    for name, level in after:
        by_name.setdefault(name, [])
        if level is not None:
            by_name[name].append(level)
    return ApplicationForm(scope=[ScopeItem(name=n, levels=sorted(lv, reverse=True)) for n, lv in by_name.items()])


def _check_name(pack: Pack, institution: Institution, content: ChangeContent) -> None:
    """001 五(一): the new name is 承办单位全称 + “职业技能考核鉴定所（站）”, checked by the same
    function that checks the filing application (eligibility ``naming``)."""
    spec = next((c for c in pack.filing.checks if c.key == "naming"), None)
    if spec is None or not content.name:
        return
    organisation = content.organisation_name
    if not organisation:
        organisation = institution.name
        for suffix in ("职业技能考核鉴定所", "职业技能考核鉴定站"):
            organisation = organisation.removesuffix(suffix)
    # The check reads only ``app.institution.name`` (the 承办单位全称) and the form's name.
    app: Any = SimpleNamespace(institution=SimpleNamespace(name=organisation))
    met, detail = eligibility.CHECKS["naming"](pack, spec, app, ApplicationForm(station_name=content.name), set())
    if not met:
        raise DomainError(detail, code="naming", source=spec.source)


def _route_change(pack: Pack, institution: Institution, kind: str,
                  after: ApplicationForm | None) -> tuple[Authority, str]:
    if kind == ChangeFiling.Kind.IDENTITY:
        # 001 四(二), 000 二(四), 002 第十一条: to the original authority.
        items = pack.change_filing.to_original_authority
        return filing_authority(institution), items.source or ""
    # 001 四(一): scope and venue to the authority the tiers name for the (new) scope.
    form = after or ApplicationForm(scope=_current_scope_items(institution))
    target = route(pack, institution, form)
    return target.authority, pack.change_filing.to_tier_authority.source or target.rule.source


def _report_window(pack: Pack, change_date: dt.date, reported_on: dt.date) -> tuple[dt.date | None, bool, bool]:
    """(due, provisional, late). 001 四: 所需材料应在拟变更前或已发生变动5工作日内提交.

    Reported on or before the change date is in time; after it, the report is due within the
    pack's working days (``add_workdays`` does not count the change day itself). A pack that
    fixes no period (``workdays`` None, e.g. 002 第十一条 “及时”) has no due date and nothing is late.
    """
    rule = pack.clocks.change_filing
    if rule.workdays is None:
        return None, False, False
    due = WorkCalendar().add_workdays(change_date, rule.workdays)
    return due.date, due.provisional, reported_on > due.date


@transaction.atomic
def change_report(*, actor: User, institution: Institution, kind: str, changes: Any, change_date: dt.date,
                  upload: Any, at: dt.datetime) -> ChangeFiling:
    """变更备案: the institution reports a change with its supporting document. A late report
    is accepted and marked late (001 四); the directory changes only on approval."""
    _require_institution_user(actor, institution)
    institution = _lock_institution(institution)
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能办理变更备案",
                          code="not_filed")
    pack = get_pack(institution.pack_id)
    content = parse_changes(kind, changes)
    if ChangeFiling.objects.filter(institution=institution, kind=kind, status__in=ChangeFiling.OPEN).exists():
        raise DomainError("已有同类变更在办理中，请待其办结后再报送", code="change_open")
    after = _check_scope_change(pack, institution, content) if kind == ChangeFiling.Kind.SCOPE else None
    _check_name(pack, institution, content)
    if upload is None:
        raise InvalidInput("请上传变更的证明材料（有关部门的批准文件等）", field="document")
    document = file_store(actor=actor, upload=upload, at=at, field="document")
    authority, routing_source = _route_change(pack, institution, kind, after)
    due, provisional, late = _report_window(pack, change_date, _local_date(at))
    # 002 第十条: an added project is evaluated before it may be examined; the same holds
    # wherever the pack evaluates a filing at all.
    needs_evaluation = bool(content.add) and not pack.evaluation.methods.silent
    previous: dict[str, Any] = {f: getattr(institution, f) for f in IDENTITY_FIELDS}
    previous["scope"] = [item.model_dump() for item in _current_scope_items(institution)]
    change = ChangeFiling.objects.create(
        institution=institution, kind=kind, changes=content.model_dump(mode="json", exclude_defaults=True),
        previous=previous, document=document, change_date=change_date, reported_at=at, reported_by=actor,
        report_due=due, report_due_provisional=provisional, late=late,
        window_source=pack.clocks.change_filing.source or "", authority=authority, routing_source=routing_source,
        region_code=institution.region_code, evaluation_required=needs_evaluation,
        evaluation_source=(pack.change_filing.projects.source or pack.evaluation.methods.source or "")
        if needs_evaluation else "",
    )
    audit.record(actor=actor, action="change_filing.reported", obj=change, at=at,
                 summary=f"{change.get_kind_display()}报送至{authority.name}（{routing_source}）"
                         + ("，逾期报送" if late else ""),
                 after={"changes": change.changes, "change_date": change_date, "report_due": due, "late": late})
    if late:
        # The supervision record keeps late reports (001 四); the event is its entry.
        audit.record(actor=None, action="institution.change_reported_late", obj=institution, at=at,
                     summary=f"变更发生于 {change_date:%Y-%m-%d}，应于 {due:%Y-%m-%d} 前报送（{change.window_source}）",
                     after={"change_filing": str(change.public_id)})
    recipients = list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject="收到变更备案",
               body=f"{institution.name}报送{change.get_kind_display()}。",
               link=reverse("registry:lifecycle_change", args=[change.public_id]), related=change, at=at)
    return change


@transaction.atomic
def change_start_evaluation(*, actor: User, change: ChangeFiling, at: dt.datetime) -> ChangeFiling:
    _require_official_of(actor, change.authority, Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
    change = _lock(change, "start_evaluation")
    if not change.evaluation_required:
        raise DomainError("本次变更无需评估", code="no_evaluation")
    change.save(update_fields=_move(change, "start_evaluation", evaluation_started_at=at, handled_by=actor))
    audit.record(actor=actor, action="change_filing.evaluation_started", obj=change, at=at)
    return change


@transaction.atomic
def change_conclude_evaluation(*, actor: User, change: ChangeFiling, passed: bool, summary: str,
                               at: dt.datetime) -> ChangeFiling:
    _require_official_of(actor, change.authority, Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
    change = _lock(change, "conclude_evaluation")
    change.save(update_fields=_move(change, "conclude_evaluation", evaluated_at=at, evaluation_passed=passed,
                                    evaluation_summary=summary.strip()))
    audit.record(actor=actor, action="change_filing.evaluation_concluded", obj=change, at=at,
                 summary=summary.strip(), after={"passed": passed})
    return change


def _apply_scope(institution: Institution, content: ChangeContent) -> None:
    for removal in content.remove:
        rows = InstitutionScope.objects.filter(institution=institution, name=removal.name)
        if removal.level is not None:
            rows = rows.filter(level=removal.level)
        rows.delete()
    codes = {i.occupation_code for i in content.add if i.occupation_code}
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
    for item in content.add:
        project = SpecialProject.objects.filter(region_code=_province_code(institution.region_code),
                                                name=item.name, active=True).first()
        for level in _levels_or_none(sorted(item.levels, reverse=True)):
            InstitutionScope.objects.create(institution=institution, name=item.name, level=level,
                                            occupation=occupations.get(item.occupation_code or ""),
                                            project=project, assessors=item.assessors)


@transaction.atomic
def change_approve(*, actor: User, change: ChangeFiling, at: dt.datetime, reason: str = "") -> ChangeFiling:
    """准予变更: Institution and scope updated, the directory republished. A removal takes
    effect now (004 五(五)); an addition only after a passed evaluation (002 第十条)."""
    _require_official_of(actor, change.authority, Role.APPROVING_OFFICIAL)
    change = _lock(change, "approve")
    if change.evaluation_required and (change.status != ChangeFiling.Status.EVALUATED or not change.evaluation_passed):
        raise DomainError("新增项目须经评估合格后方可准予变更" if change.evaluation_passed is not False
                          else "评估不合格，不能准予变更", code="evaluation_required",
                          source=change.evaluation_source or None)
    if change.handled_by_id == actor.pk:
        raise DomainError("审核须由经办人以外的人员作出", code="two_person_rule")
    institution = _lock_institution(change.institution)
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能变更", code="not_filed")
    content = ChangeContent.model_validate(change.changes)
    before = {f: getattr(institution, f) for f in IDENTITY_FIELDS}
    for name in IDENTITY_FIELDS:
        value = getattr(content, name)
        if value:
            setattr(institution, name, value)
    institution.save()
    if change.kind == ChangeFiling.Kind.SCOPE:
        _apply_scope(institution, content)
    change.save(update_fields=_move(change, "approve", decided_at=at, decided_by=actor,
                                    decision_reason=reason.strip(), decision_source=change.routing_source))
    audit.record(actor=actor, action="change_filing.approved", obj=change, at=at, summary=reason.strip())
    audit.record(actor=actor, action="institution.changed", obj=institution, at=at,
                 summary=f"变更备案：{change.get_kind_display()}",
                 before={**before, "scope": change.previous.get("scope")},
                 after={**{f: getattr(institution, f) for f in IDENTITY_FIELDS},
                        "scope": [i.model_dump() for i in _current_scope_items(institution)]})
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="变更备案已办结（准予变更）",
                 body=f"您单位报送的{change.get_kind_display()}已准予变更，机构目录已更新。", at=at, related=change)
    return change


@transaction.atomic
def change_refuse(*, actor: User, change: ChangeFiling, reason: str, at: dt.datetime,
                  source: str = "") -> ChangeFiling:
    _require_official_of(actor, change.authority, Role.APPROVING_OFFICIAL)
    if not reason.strip():
        raise InvalidInput("不予变更须说明理由", field="reason")
    change = _lock(change, "refuse")
    change.save(update_fields=_move(change, "refuse", decided_at=at, decided_by=actor,
                                    decision_reason=reason.strip(), decision_source=source))
    audit.record(actor=actor, action="change_filing.refused", obj=change, at=at, summary=reason.strip(),
                 after={"source": source})
    _notify_both(change.institution, subject="变更备案已办结（不予变更）", body=reason.strip(), at=at, related=change)
    return change


@transaction.atomic
def change_withdraw(*, actor: User, change: ChangeFiling, at: dt.datetime) -> ChangeFiling:
    _require_institution_user(actor, change.institution)
    change = _lock(change, "withdraw")
    change.save(update_fields=_move(change, "withdraw", decided_at=at))
    audit.record(actor=actor, action="change_filing.withdrawn", obj=change, at=at)
    return change


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


# --- suspension of one scope row (001 五(二) 暂停) ---------------------------------------------


def suspension_source(pack: Pack) -> str:
    """The clause of the pack that provides for 暂停 (001 五(二)); empty where none does."""
    return next((f"{pack.seed} {ref}" for ref, text in pack.clauses.items() if "暂停" in text), "")


def scope_is_active(institution: Institution, name: str, level: int | None) -> bool:
    """Whether the institution may run exams for ``name`` at ``level`` now: filed, the row in
    its scope (``level`` None for a special project), and not suspended (001 五(二))."""
    if institution.status != IS.FILED:
        return False
    return InstitutionScope.objects.filter(institution=institution, name=name, level=level,
                                           suspended_at__isnull=True).exists()


@transaction.atomic
def scope_suspend(*, actor: User, scope: InstitutionScope, reason: str, at: dt.datetime,
                  source: str = "") -> InstitutionScope:
    institution = _lock_institution(scope.institution)
    _require_covering_official(actor, institution, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    if not reason.strip():
        raise InvalidInput("暂停须说明原因", field="reason")
    scope = InstitutionScope.objects.select_for_update().get(pk=scope.pk)
    if scope.suspended_at is not None:
        raise IllegalTransition("该职业（工种）/项目已暂停")
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能暂停", code="not_filed")
    scope.suspended_at = at
    scope.suspension_reason = reason.strip()
    scope.suspension_source = source.strip() or suspension_source(get_pack(institution.pack_id))
    scope.save(update_fields=["suspended_at", "suspension_reason", "suspension_source"])
    label = scope.name + (f"（{LEVELS[scope.level]}）" if scope.level else "")
    audit.record(actor=actor, action="institution.scope_suspended", obj=institution, at=at,
                 summary=f"暂停 {label}：{scope.suspension_reason}（{scope.suspension_source}）",
                 after={"scope": label, "reason": scope.suspension_reason, "source": scope.suspension_source})
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="暂停开展鉴定工作",
                 body=f"您单位的 {label} 已暂停开展考核鉴定工作。原因：{scope.suspension_reason}", at=at)
    return scope


@transaction.atomic
def scope_lift(*, actor: User, scope: InstitutionScope, reason: str, at: dt.datetime) -> InstitutionScope:
    institution = _lock_institution(scope.institution)
    _require_covering_official(actor, institution, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    scope = InstitutionScope.objects.select_for_update().get(pk=scope.pk)
    if scope.suspended_at is None:
        raise IllegalTransition("该职业（工种）/项目未暂停")
    before = {"suspended_at": scope.suspended_at, "reason": scope.suspension_reason,
              "source": scope.suspension_source}
    scope.suspended_at, scope.suspension_reason, scope.suspension_source = None, "", ""
    scope.save(update_fields=["suspended_at", "suspension_reason", "suspension_source"])
    label = scope.name + (f"（{LEVELS[scope.level]}）" if scope.level else "")
    audit.record(actor=actor, action="institution.scope_resumed", obj=institution, at=at,
                 summary=f"恢复 {label}" + (f"：{reason.strip()}" if reason.strip() else ""), before=before)
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="恢复开展鉴定工作", body=f"您单位的 {label} 已恢复开展考核鉴定工作。", at=at)
    return scope


# --- cancellation (000 二(四), 001 四(三)) -------------------------------------------------


@transaction.atomic
def cancellation_request(*, actor: User, institution: Institution, reason: str, upload: Any,
                         at: dt.datetime) -> CancellationRequest:
    """The institution asks in writing to cancel its filing (停止考核业务 / 终止鉴定工作)."""
    _require_institution_user(actor, institution)
    institution = _lock_institution(institution)
    if institution.status not in LISTED:
        raise DomainError(f"机构当前状态为“{institution.get_status_display()}”，不能申请注销", code="not_filed")
    if not reason.strip():
        raise InvalidInput("请说明注销原因", field="reason")
    if CancellationRequest.objects.filter(institution=institution,
                                          status=CancellationRequest.Status.REQUESTED).exists():
        raise DomainError("已有待确认的注销申请", code="cancellation_open")
    if upload is None:
        raise InvalidInput("请上传书面申请", field="document")
    pack = get_pack(institution.pack_id)
    document = file_store(actor=actor, upload=upload, at=at, field="document")
    authority = filing_authority(institution)
    request = CancellationRequest.objects.create(
        institution=institution, authority=authority, region_code=institution.region_code, reason=reason.strip(),
        document=document, source=pack.change_filing.cancellation.source or "", requested_at=at, requested_by=actor,
    )
    audit.record(actor=actor, action="cancellation.requested", obj=request, at=at, summary=reason.strip())
    recipients = list(recipients_for_authority(authority))
    if recipients:
        notify(recipients=recipients, subject="收到注销备案申请",
               body=f"{institution.name}申请注销备案：{reason.strip()}",
               link=_link(institution), related=request, at=at)
    return request


@transaction.atomic
def cancellation_confirm(*, actor: User, request: CancellationRequest, at: dt.datetime) -> CancellationRequest:
    """The original authority confirms: status cancelled; the directory shows it as cancelled
    (``active=False``: out of the default search, found by code and by ``status=cancelled``)."""
    _require_official_of(actor, request.authority, Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    request = _lock(request, "confirm")
    institution = _lock_institution(request.institution)
    before = {"status": institution.status}
    institution.status = IS.CANCELLED
    institution.save(update_fields=["status"])
    request.save(update_fields=_move(request, "confirm", decided_at=at, decided_by=actor))
    audit.record(actor=actor, action="cancellation.confirmed", obj=request, at=at)
    audit.record(actor=actor, action="institution.cancelled", obj=institution, at=at,
                 summary=f"注销备案（{request.source}）" if request.source else "注销备案",
                 before=before, after={"status": institution.status})
    republish(institution=institution, actor=actor, at=at)
    _notify_both(institution, subject="注销备案已确认", body=f"{institution.name}的备案已注销。", at=at,
                 related=request)
    return request


@transaction.atomic
def cancellation_withdraw(*, actor: User, request: CancellationRequest, at: dt.datetime) -> CancellationRequest:
    _require_institution_user(actor, request.institution)
    request = _lock(request, "withdraw")
    request.save(update_fields=_move(request, "withdraw", decided_at=at))
    audit.record(actor=actor, action="cancellation.withdrawn", obj=request, at=at)
    return request


# --- stop orders for unfiled bodies (001 五(五)) -----------------------------------------------


def stop_order_source(region_code: str) -> str:
    """The clause of a pack of the region whose consequence is 责令停止 (001 五(五))."""
    for pack in all_packs():
        if region_code.startswith(pack.region.code[:2]):
            for catalogue in pack.violations:
                if catalogue.consequence == "order_to_stop":
                    return catalogue.source
    return ""


@transaction.atomic
def stop_order_record(*, actor: User, body_name: str, region_code: str, facts: str, ordered_on: dt.date,
                      at: dt.datetime, credit_code: str = "", upload: Any = None) -> StopOrder:
    if actor.role not in (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL) or actor.authority is None:
        raise DomainError("责令停止须由人社部门经办或审批人员记录", code="forbidden")
    if not actor.authority.covers(region_code):
        raise InvalidInput("该单位所在地不在您所在部门的管辖范围内", field="region_code")
    if not body_name.strip() or not facts.strip():
        raise InvalidInput("请填写单位名称和违规事实", field="body_name" if not body_name.strip() else "facts")
    credit_code = credit_code.strip().upper()
    institution = Institution.objects.filter(credit_code=credit_code).first() if credit_code else None
    if institution is not None and institution.status in LISTED:
        raise DomainError("该单位已备案；已备案机构的违规按监督管理程序处理", code="is_filed")
    document = file_store(actor=actor, upload=upload, at=at, field="document") if upload is not None else None
    order = StopOrder.objects.create(
        authority=actor.authority, body_name=body_name.strip(), credit_code=credit_code, region_code=region_code,
        institution=institution, facts=facts.strip(), document=document, source=stop_order_source(region_code),
        ordered_on=ordered_on, recorded_at=at, recorded_by=actor,
    )
    audit.record(actor=actor, action="stop_order.recorded", obj=order, at=at,
                 summary=f"责令{order.body_name}停止鉴定活动（{order.source}）",
                 after={"body_name": order.body_name, "credit_code": credit_code, "ordered_on": ordered_on})
    return order


# --- the project catalogue (004 四) --------------------------------------------------------


def _catalogue_pack(region_code: str) -> Pack | None:
    return next((p for p in all_packs() if p.region.code[:2] == region_code[:2] and p.projects.new_projects.text
                 and p.body_kind.kind == "special_assessment_body"), None)


def _require_province_official(actor: User, region_code: str) -> None:
    authority = actor.authority
    if (actor.role not in OFFICIALS or authority is None or authority.level != Authority.Level.PROVINCE
            or not authority.covers(region_code)):
        raise DomainError("考核项目目录由省级鉴定中心（人社部门）审定", code="forbidden")


@transaction.atomic
def project_request_submit(*, actor: User, origin: str, name: str, specification: Any, at: dt.datetime,
                           code: str = "", origin_note: str = "", question_bank: bool = False,
                           question_bank_upload: Any = None, reason: str = "") -> ProjectRequest:
    """004 四(二): a national or other province's project, proposed by the province centre;
    004 四(三): a new project, its specification and question bank written by the institution."""
    if origin not in ProjectRequest.Origin.values:
        raise InvalidInput("请选择项目来源", field="origin")
    institution = actor.institution if actor.role == Role.INSTITUTION_USER else None
    if institution is None and (actor.authority is None or actor.role not in OFFICIALS):
        raise DomainError("只有考核机构或省级鉴定中心可以申请增设项目", code="forbidden")
    region_code = _province_code(institution.region_code if institution else actor.authority.region_code)  # type: ignore[union-attr]
    pack = _catalogue_pack(region_code)
    if not name.strip():
        raise InvalidInput("请填写项目名称", field="name")
    if SpecialProject.objects.filter(region_code=region_code, name=name.strip()).exists():
        raise DomainError(f"“{name.strip()}”已在本省考核项目目录中", code="already_catalogued")
    if origin != ProjectRequest.Origin.NEW and not question_bank:
        # 004 四(二): only projects that have a specification and a question bank.
        raise InvalidInput("引进的项目须已有考核规范和题（卷）库", field="question_bank",
                           source=pack.projects.new_projects.source if pack else None)
    if specification is None:
        raise InvalidInput("请上传考核规范", field="specification")
    spec_file = file_store(actor=actor, upload=specification, at=at, field="specification")
    bank_file = (file_store(actor=actor, upload=question_bank_upload, at=at, field="question_bank_file")
                 if question_bank_upload is not None else None)
    request = ProjectRequest.objects.create(
        region_code=region_code, origin=origin, origin_note=origin_note.strip(), name=name.strip(),
        code=code.strip(), specification=spec_file, question_bank=question_bank or bank_file is not None,
        question_bank_file=bank_file, reason=reason.strip(), institution=institution,
        source=pack.projects.new_projects.source or "" if pack else "", requested_at=at, requested_by=actor,
    )
    audit.record(actor=actor, action="project_request.submitted", obj=request, at=at,
                 summary=f"申请增设考核项目“{request.name}”（{request.get_origin_display()}）")
    return request


@transaction.atomic
def project_request_review(*, actor: User, request: ProjectRequest, at: dt.datetime) -> ProjectRequest:
    _require_province_official(actor, request.region_code)
    request = _lock(request, "review")
    if not request.question_bank:
        raise DomainError("须有考核规范和题（卷）库方可审定通过", code="question_bank_required",
                          source=request.source or None)
    request.save(update_fields=_move(request, "review", reviewed_at=at, reviewed_by=actor))
    audit.record(actor=actor, action="project_request.reviewed", obj=request, at=at)
    return request


@transaction.atomic
def project_request_send(*, actor: User, request: ProjectRequest, at: dt.datetime) -> ProjectRequest:
    """Recorded as sent to the 部中心 for national filing (报部中心备案)."""
    _require_province_official(actor, request.region_code)
    request = _lock(request, "send")
    request.save(update_fields=_move(request, "send", sent_at=at))
    audit.record(actor=actor, action="project_request.sent_for_national_filing", obj=request, at=at)
    return request


@transaction.atomic
def project_request_file(*, actor: User, request: ProjectRequest, at: dt.datetime,
                         national_reference: str = "") -> ProjectRequest:
    """The 部中心 filed it: the project joins the province's catalogue (SpecialProject)."""
    _require_province_official(actor, request.region_code)
    request = _lock(request, "file")
    project, created = SpecialProject.objects.get_or_create(
        region_code=request.region_code, name=request.name,
        defaults={"code": request.code, "standard": request.specification.original_name[:200], "active": True})
    if not created and not project.active:
        project.active = True
        project.save(update_fields=["active"])
    request.save(update_fields=_move(request, "file", filed_at=at, project=project,
                                     national_reference=national_reference.strip()))
    audit.record(actor=actor, action="project_request.filed", obj=request, at=at,
                 summary=f"“{request.name}”经部中心备案，纳入本省考核项目目录",
                 after={"project": project.pk, "national_reference": request.national_reference})
    if request.institution is not None:
        _notify_both(request.institution, subject="考核项目已纳入目录",
                     body=f"“{request.name}”已经部中心备案，纳入本省专项职业能力考核项目目录。", at=at, related=request)
    return request


@transaction.atomic
def project_request_refuse(*, actor: User, request: ProjectRequest, reason: str, at: dt.datetime) -> ProjectRequest:
    _require_province_official(actor, request.region_code)
    if not reason.strip():
        raise InvalidInput("请说明审定意见", field="reason")
    request = _lock(request, "refuse")
    request.save(update_fields=_move(request, "refuse", reviewed_at=at, reviewed_by=actor,
                                     decision_reason=reason.strip()))
    audit.record(actor=actor, action="project_request.refused", obj=request, at=at, summary=reason.strip())
    return request


# --- reads for the index page ---------------------------------------------------------------


def expiring_filings(qs: Any, *, today: dt.date, days: int = max(REMINDER_DAYS)) -> Any:
    """Listed institutions whose validity ends within ``days`` (or already passed, not yet swept)."""
    return (qs.filter(status__in=LISTED, valid_until__isnull=False,
                      valid_until__lte=today + dt.timedelta(days=days))
            .order_by("valid_until", "name"))


def suspended_scope(qs: Any) -> Any:
    return InstitutionScope.objects.filter(institution__in=qs, suspended_at__isnull=False).select_related("institution")


def changes_visible_to(user: Any) -> QuerySet[ChangeFiling]:
    return scoped(ChangeFiling.objects.select_related("institution", "authority", "document"), user,
                  institution_field="institution_id")


def branch_reports_visible_to(user: Any) -> QuerySet[BranchReport]:
    """The city a report was made to sees it, and so does the institution's home jurisdiction."""
    qs = BranchReport.objects.select_related("institution", "authority")
    return qs.filter(jurisdiction_q(user, institution_field="institution_id")
                     | jurisdiction_q(user, region_field="institution__region_code",
                                      institution_field="institution_id"))


def cancellations_visible_to(user: Any) -> QuerySet[CancellationRequest]:
    return scoped(CancellationRequest.objects.select_related("institution", "authority", "document"), user,
                  institution_field="institution_id")


def project_requests_visible_to(user: Any) -> QuerySet[ProjectRequest]:
    """Province officials see their province's requests; an institution its own."""
    return scoped(ProjectRequest.objects.select_related("institution", "project", "specification"), user,
                  institution_field="institution_id")


def stop_orders_visible_to(user: Any) -> QuerySet[StopOrder]:
    return scoped(StopOrder.objects.select_related("authority"), user, institution_field=None)


def one_of(qs: QuerySet[Any], public_id: Any) -> Any:
    """One object by public id from a scoped queryset; outside it (or malformed) is a 404."""
    try:
        return qs.get(public_id=public_id)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("未找到该对象") from exc


__all__ = [
    "ChangeContent",
    "ValidityReport",
    "branch_report_make",
    "branch_report_withdraw",
    "branch_reports_visible_to",
    "cancellation_confirm",
    "cancellation_request",
    "cancellation_withdraw",
    "cancellations_visible_to",
    "change_approve",
    "change_conclude_evaluation",
    "change_refuse",
    "change_report",
    "change_start_evaluation",
    "change_withdraw",
    "changes_visible_to",
    "filing_authority",
    "home_prefix",
    "institution_expire",
    "is_catalogued",
    "may_work_in",
    "one_of",
    "project_request_file",
    "project_request_refuse",
    "project_request_review",
    "project_request_send",
    "project_request_submit",
    "project_requests_visible_to",
    "renewal_in_time",
    "renewal_start",
    "renewal_validity",
    "scope_is_active",
    "scope_lift",
    "scope_suspend",
    "stop_order_record",
    "stop_orders_visible_to",
    "sweep_validity",
    "validity_remind",
]
