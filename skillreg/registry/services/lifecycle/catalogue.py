"""The special-project catalogue (004 四): requests to add projects and their national filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.files.services import file_store
from skillreg.policies.registry import all_packs
from skillreg.policies.schema import Pack
from skillreg.registry.models import (
    ProjectRequest,
    SpecialProject,
)
from skillreg.registry.services.lifecycle._common import OFFICIALS, _lock, _move, _notify_both
from skillreg.registry.services.lifecycle.changes import _province_code

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
