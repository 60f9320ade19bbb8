"""/api/v1/institutions and /api/v1/applications: the same services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.files.services import file_store
from skillreg.policies.registry import get_pack
from skillreg.registry import eligibility
from skillreg.registry.clocks import application_clocks
from skillreg.registry.models import Application, ApplicationMaterial, Institution
from skillreg.registry.selectors import (
    application_for,
    applications_visible_to,
    institution_for,
    institutions_visible_to,
)
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions

router = Router(tags=["机构"])
applications_router = Router(tags=["备案申请"])


class InstitutionOut(Schema):
    id: uuid.UUID
    name: str
    credit_code: str
    body_kind: str
    region_code: str
    authority: str
    pack_id: str
    status: str
    code: str | None
    valid_until: dt.date | None
    registered_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Institution) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_authority(obj: Institution) -> str:
        return obj.authority.name


@router.get("", response=list[InstitutionOut])
def list_institutions(request: HttpRequest) -> list[Institution]:
    """当前用户可见的机构：官员限本辖区，机构用户限本机构。"""
    return list(institutions_visible_to(request.user).order_by("region_code", "name")[:500])


@router.get("/{uuid:public_id}", response=InstitutionOut)
def get_institution(request: HttpRequest, public_id: uuid.UUID) -> Institution:
    return institution_for(request.user, public_id)


# --- applications -------------------------------------------------------------------


class ClockOut(Schema):
    key: str
    label: str
    due: dt.date | None
    provisional: bool
    workdays_left: int | None
    overdue: bool
    source: str | None
    runs_against: str


class CheckOut(Schema):
    key: str
    text: str
    source: str
    met: bool | None
    detail: str
    blocking: bool


class SupplementOut(Schema):
    items: list[dict[str, str]]
    issued_at: dt.datetime
    due: dt.date | None
    due_provisional: bool
    source: str
    answered_at: dt.datetime | None


class ApplicationOut(Schema):
    id: uuid.UUID
    institution: str
    institution_id: uuid.UUID
    pack_id: str
    kind: str
    status: str
    status_label: str
    authority: str | None
    reviewing_authority: str | None
    routing_source: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str
    decision_source: str
    clocks: list[ClockOut]
    supplement_notice: SupplementOut | None
    code: str | None

    @staticmethod
    def resolve_id(obj: Application) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution(obj: Application) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_institution_id(obj: Application) -> uuid.UUID:
        return obj.institution.public_id

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_authority(obj: Application) -> str | None:
        return obj.authority.name if obj.authority else None

    @staticmethod
    def resolve_reviewing_authority(obj: Application) -> str | None:
        return obj.reviewing_authority.name if obj.reviewing_authority else None

    @staticmethod
    def resolve_clocks(obj: Application) -> list[Any]:
        return application_clocks(obj)

    @staticmethod
    def resolve_supplement_notice(obj: Application) -> Any:
        return getattr(obj, "supplement_notice", None)

    @staticmethod
    def resolve_code(obj: Application) -> str | None:
        filing = getattr(obj, "filing", None)
        return filing.code if filing else None


class ApplicationDetailOut(ApplicationOut):
    form: dict[str, Any]
    materials: list[dict[str, Any]]

    @staticmethod
    def resolve_materials(obj: Application) -> list[dict[str, Any]]:
        return [{"key": m.key, "name": m.file.original_name, "sha256": m.file.sha256, "size": m.file.size,
                 "uploaded_at": m.uploaded_at} for m in obj.materials.filter(superseded=False)
                .select_related("file")]


class ApplicationIn(Schema):
    form: dict[str, Any] = {}


class SupplementItemIn(Schema):
    key: str = ""
    text: str
    source: str = ""


class SupplementIn(Schema):
    items: list[SupplementItemIn]


class RefuseIn(Schema):
    reason: str
    source: str = ""


def _actor(request: HttpRequest) -> Any:
    return request.user


@applications_router.get("", response=list[ApplicationOut])
def list_applications(request: HttpRequest, status: str | None = None, limit: int = 50,
                      offset: int = 0) -> list[Application]:
    """可见的备案申请，附各项办理时限（剩余工作日、是否逾期）。"""
    qs = applications_visible_to(request.user).select_related("supplement_notice", "filing")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-created_at")[max(offset, 0):max(offset, 0) + min(max(limit, 1), 200)])


@applications_router.post("", response={201: ApplicationDetailOut})
def create_application(request: HttpRequest, body: ApplicationIn) -> Status:
    user = request.user
    if getattr(user, "institution", None) is None:
        raise DomainError("只有机构用户可以创建备案申请", code="forbidden")
    created = svc.application_create(actor=user, institution=user.institution, form=body.form,  # type: ignore[union-attr, arg-type]
                                     at=clock.now())
    return Status(201, created)


@applications_router.get("/{uuid:public_id}", response=ApplicationDetailOut)
def get_application(request: HttpRequest, public_id: uuid.UUID) -> Application:
    return application_for(request.user, public_id)


@applications_router.put("/{uuid:public_id}/form", response=ApplicationDetailOut)
def save_form(request: HttpRequest, public_id: uuid.UUID, body: ApplicationIn) -> Application:
    application = application_for(request.user, public_id)
    return svc.application_save_draft(actor=_actor(request), application=application, form=body.form,
                                      at=clock.now())


@applications_router.get("/{uuid:public_id}/eligibility", response=list[CheckOut])
def get_eligibility(request: HttpRequest, public_id: uuid.UUID) -> list[Any]:
    """逐项列出备案条件是否满足及其条款出处。"""
    application = application_for(request.user, public_id)
    return eligibility.report(get_pack(application.pack_id), application)


@applications_router.post("/{uuid:public_id}/materials", response={201: dict[str, Any]})
def upload_material(request: HttpRequest, public_id: uuid.UUID, key: Form[str],
                    file: File[UploadedFile]) -> Status:
    application = application_for(request.user, public_id)
    material = svc.application_attach_material(actor=_actor(request), application=application, key=key,
                                               upload=file, at=clock.now())
    return Status(201, {"key": material.key, "sha256": material.file.sha256, "size": material.file.size})


def _move(name: str):  # type: ignore[no-untyped-def]
    def handler(request: HttpRequest, public_id: uuid.UUID) -> Application:
        application = application_for(request.user, public_id)
        getattr(svc, f"application_{name}")(actor=_actor(request), application=application, at=clock.now())
        return application_for(request.user, public_id)
    handler.__name__ = f"application_{name}"
    return handler


for _name, _doc in (("submit", "提交申请（校验备案条件并按层级确定受理部门）"), ("accept", "受理（材料齐全）"),
                    ("supplement", "申请单位提交补正材料"), ("withdraw", "申请单位撤回申请")):
    _h = _move(_name)
    _h.__doc__ = _doc
    applications_router.post(f"/{{uuid:public_id}}/{_name}", response=ApplicationOut,
                             operation_id=f"application_{_name}")(_h)


@applications_router.post("/{uuid:public_id}/supplement-notice", response=ApplicationOut)
def request_supplement(request: HttpRequest, public_id: uuid.UUID, body: SupplementIn) -> Application:
    """一次性告知补正：一次列明全部需补正事项；同一申请不得再次告知。"""
    application = application_for(request.user, public_id)
    svc.application_request_supplement(actor=_actor(request), application=application,
                                       items=[i.dict() for i in body.items], at=clock.now())
    return application_for(request.user, public_id)


@applications_router.post("/{uuid:public_id}/refuse", response=ApplicationOut)
def refuse(request: HttpRequest, public_id: uuid.UUID, body: RefuseIn) -> Application:
    application = application_for(request.user, public_id)
    svc.application_refuse(actor=_actor(request), application=application, reason=body.reason,
                           source=body.source, at=clock.now())
    return application_for(request.user, public_id)


@applications_router.post("/{uuid:public_id}/file", response=ApplicationOut)
def file_application(request: HttpRequest, public_id: uuid.UUID) -> Application:
    """备案（审批人员，且不得为经办人）：赋予机构代码，确定有效期，公布于目录。"""
    application = application_for(request.user, public_id)
    decisions.application_file(actor=_actor(request), application=application, at=clock.now())
    return application_for(request.user, public_id)


__all__ = ["ApplicationMaterial", "applications_router", "file_store", "router"]
