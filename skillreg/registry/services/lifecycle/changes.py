"""Change filings (变更备案, 001 四, 000 二(四), 002 第十条/第十一条, 004 五(五))."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.urls import reverse
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.services import notify, recipients_for_authority
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import Pack
from skillreg.registry import eligibility
from skillreg.registry.application_form import LEVELS, ApplicationForm, ScopeItem
from skillreg.registry.models import (
    ChangeFiling,
    Institution,
    InstitutionScope,
    Occupation,
    SpecialProject,
)
from skillreg.registry.routing import route
from skillreg.registry.services.lifecycle._common import (
    LISTED,
    _local_date,
    _lock,
    _lock_institution,
    _move,
    _notify_both,
    _require_institution_user,
    _require_official_of,
    filing_authority,
    republish,
)
from skillreg.registry.services.lifecycle.validity import _current_scope_items
from skillreg.workdays.calendar import WorkCalendar

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
