"""Evaluation milestones and the filing decision: code, validity, scope, directory entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError

from skillreg.accounts.models import Role, User
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.policies.registry import get_pack
from skillreg.registry import workflow
from skillreg.registry.application_form import ApplicationForm
from skillreg.registry.codes import next_institution_code
from skillreg.registry.directory import publish
from skillreg.registry.models import Application, Filing, Institution, InstitutionScope, Occupation
from skillreg.registry.notices import notify_applicant
from skillreg.registry.services.applications import _require_official
from skillreg.registry.services.lifecycle import renewal_validity


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def application_start_evaluation(*, actor: User, application: Application, at: dt.datetime) -> Application:
    _require_official(actor, application, Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
    application = workflow.lock_for_move(application, "start_evaluation")
    fields = workflow.move(application, "start_evaluation", evaluation_started_at=at)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.evaluation_started", obj=application, at=at)
    return application


@transaction.atomic
def application_conclude_evaluation(*, actor: User, application: Application, passed: bool,
                                    summary: str, at: dt.datetime) -> Application:
    """The panel's conclusion. A failed evaluation goes to the approver as a proposed refusal."""
    _require_official(actor, application, Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
    application = workflow.lock_for_move(application, "conclude_evaluation")
    fields = workflow.move(application, "conclude_evaluation", evaluated_at=at)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.evaluation_concluded", obj=application, at=at,
                 summary=summary, after={"passed": passed})
    return application


def _scope_rows(institution: Institution, form: ApplicationForm) -> list[InstitutionScope]:
    codes = {i.occupation_code for i in form.scope if i.occupation_code}
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
    rows = []
    for item in form.scope:
        occupation = occupations.get(item.occupation_code or "")
        for level in sorted(item.levels, reverse=True) or [None]:
            rows.append(InstitutionScope(institution=institution, occupation=occupation, name=item.name,
                                         level=level, assessors=item.assessors))
    return rows


def _replace_scope(institution: Institution, rows: list[InstitutionScope], *, at: dt.datetime) -> None:
    """Bring the filed scope to ``rows`` in place, so exam plans keep pointing at their row.

    A row that stays keeps its suspension (001 五(二)); a row that leaves is deleted, or, if past
    exam plans still refer to it, suspended as no longer filed.
    """
    existing = {(r.name, r.level): r for r in InstitutionScope.objects.filter(institution=institution)}
    wanted = {(r.name, r.level): r for r in rows}
    for key, row in wanted.items():
        old = existing.get(key)
        if old is None:
            row.save()
        else:
            old.occupation, old.assessors = row.occupation, row.assessors
            old.save(update_fields=["occupation", "assessors"])
    for key, old in existing.items():
        if key in wanted:
            continue
        try:
            with transaction.atomic():
                old.delete()
        except ProtectedError:
            old.suspended_at, old.suspension_reason = at, "备案范围调整后不再包含该职业（工种）或项目"
            old.suspension_source = ""
            old.save(update_fields=["suspended_at", "suspension_reason", "suspension_source"])


@transaction.atomic
def application_file(*, actor: User, application: Application, at: dt.datetime) -> Filing:
    """备案: by an approving official who did not handle the file (two people)."""
    _require_official(actor, application, Role.APPROVING_OFFICIAL)
    application = workflow.lock_for_move(application, "file")
    pack = get_pack(application.pack_id)
    if application.status == Application.Status.ACCEPTED and not pack.evaluation.methods.silent:
        raise DomainError("须先完成专家评估，评估合格后方可备案", code="evaluation_required",
                          source=pack.evaluation.methods.source)
    if application.handled_by_id == actor.pk:
        raise DomainError("审批须由经办人以外的人员作出", code="two_person_rule")
    institution = Institution.objects.select_for_update().get(pk=application.institution_id)
    today = at.astimezone(clock.LOCAL_TZ).date()
    renewing = application.kind == Application.Kind.RENEWAL and institution.code
    code = institution.code if renewing else next_institution_code(pack, institution, on=today)
    years = pack.validity.years
    if renewing:
        # A renewal continues from the old end date, not from the day it is decided.
        valid_from, valid_until = renewal_validity(institution=institution, years=years, today=today)
    else:
        valid_from = today
        valid_until = _add_years(today, years) - dt.timedelta(days=1) if years else None
    filing = Filing.objects.create(institution=institution, application=application, code=code,
                                   valid_from=valid_from, valid_until=valid_until, filed_at=at, filed_by=actor)
    form = ApplicationForm.model_validate(application.form)
    before = {"status": institution.status, "code": institution.code, "valid_until": institution.valid_until}
    institution.code, institution.valid_until = code, valid_until
    institution.status = Institution.Status.FILED
    if form.station_name:
        institution.name = form.station_name
    heads = form.staff_in("head")
    if heads:
        institution.head_name = heads[0].name
    institution.save()
    _replace_scope(institution, _scope_rows(institution, form), at=at)
    fields = workflow.move(application, "file", decided_at=at, decided_by=actor,
                           decision_source=pack.validity.source or "")
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.filed", obj=application, at=at,
                 after={"code": code, "valid_until": valid_until})
    audit.record(actor=actor, action="institution.filed", obj=institution, at=at,
                 before=before, after={"status": institution.status, "code": code, "valid_until": valid_until})
    publish(institution=institution, actor=actor, at=at)
    notify_applicant(application, subject="备案办理结果告知（已备案）",
                     body=f"您单位已备案，机构代码 {code}" + (f"，有效期至 {valid_until:%Y年%-m月%-d日}" if valid_until
                                                         else "") + "。", at=at)
    return filing
