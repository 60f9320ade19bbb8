"""/api/v1/lifecycle: the filed institution's life, through the same services as the pages.

Uploads (supporting documents, written requests, specifications) are multipart; a change
filing's content is the ``changes`` form field holding JSON (see ``services.lifecycle.ChangeContent``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from skillreg.core import clock
from skillreg.core.errors import InvalidInput
from skillreg.registry.models import (
    Application,
    BranchReport,
    CancellationRequest,
    ChangeFiling,
    InstitutionScope,
    ProjectRequest,
    StopOrder,
)
from skillreg.registry.selectors import institution_for, institutions_visible_to
from skillreg.registry.services import lifecycle as svc

lifecycle_router = Router(tags=["备案后管理"])


class ErrorOut(Schema):
    code: str
    message: str
    source: str | None = None
    field: str | None = None


class ExpiringOut(Schema):
    id: uuid.UUID
    name: str
    code: str | None
    valid_until: dt.date
    renewal_submitted: bool


class ChangeOut(Schema):
    id: uuid.UUID
    institution_id: uuid.UUID
    institution: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    changes: dict[str, Any]
    previous: dict[str, Any]
    change_date: dt.date
    reported_at: dt.datetime
    report_due: dt.date | None
    report_due_provisional: bool
    late: bool
    window_source: str
    authority: str
    routing_source: str
    evaluation_required: bool
    evaluation_source: str
    evaluation_passed: bool | None
    decided_at: dt.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_id(obj: ChangeFiling) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution_id(obj: ChangeFiling) -> uuid.UUID:
        return obj.institution.public_id

    @staticmethod
    def resolve_institution(obj: ChangeFiling) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_kind_label(obj: ChangeFiling) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: ChangeFiling) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_authority(obj: ChangeFiling) -> str:
        return obj.authority.name


class BranchReportOut(Schema):
    id: uuid.UUID
    institution: str
    authority: str
    region_code: str
    starts_on: dt.date
    reported_at: dt.datetime
    withdrawn_at: dt.datetime | None
    source: str

    @staticmethod
    def resolve_id(obj: BranchReport) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution(obj: BranchReport) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_authority(obj: BranchReport) -> str:
        return obj.authority.name


class ScopeOut(Schema):
    id: int
    name: str
    level: int | None
    suspended_at: dt.datetime | None
    suspension_reason: str
    suspension_source: str


class CancellationOut(Schema):
    id: uuid.UUID
    institution: str
    status: str
    reason: str
    source: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: CancellationRequest) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution(obj: CancellationRequest) -> str:
        return obj.institution.name


class StopOrderOut(Schema):
    id: uuid.UUID
    body_name: str
    credit_code: str
    region_code: str
    facts: str
    ordered_on: dt.date
    source: str

    @staticmethod
    def resolve_id(obj: StopOrder) -> uuid.UUID:
        return obj.public_id


class ProjectRequestOut(Schema):
    id: uuid.UUID
    region_code: str
    origin: str
    name: str
    code: str
    question_bank: bool
    status: str
    status_label: str
    source: str
    national_reference: str

    @staticmethod
    def resolve_id(obj: ProjectRequest) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_status_label(obj: ProjectRequest) -> str:
        return obj.get_status_display()


class RenewalOut(Schema):
    application_id: uuid.UUID
    status: str


class WorkPlaceOut(Schema):
    region_code: str
    allowed: bool


class ReasonIn(Schema):
    reason: str = ""
    source: str = ""


class EvaluationIn(Schema):
    passed: bool
    summary: str = ""


class FiledIn(Schema):
    national_reference: str = ""


ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> Any:
    # The router's auth guarantees a logged-in user; the services check the role.
    return request.user


def _changes_json(text: str) -> Any:
    try:
        return json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput("changes 应为 JSON 对象", field="changes") from exc


# --- validity and renewal --------------------------------------------------------------------


@lifecycle_router.get("/expiring", response=list[ExpiringOut])
def expiring(request: HttpRequest, days: int = 90) -> list[dict[str, Any]]:
    """本辖区内有效期在 days 日内届满（或已届满待移出）的机构，及是否已按时申请延续。"""
    rows = svc.expiring_filings(institutions_visible_to(request.user), today=clock.today(),
                                days=min(max(days, 0), 366))[:500]
    return [{"id": i.public_id, "name": i.name, "code": i.code, "valid_until": i.valid_until,
             "renewal_submitted": svc.renewal_in_time(i) is not None} for i in rows]


@lifecycle_router.post("/institutions/{uuid:public_id}/renewal", response={201: RenewalOut, **ERRORS})
def start_renewal(request: HttpRequest, public_id: uuid.UUID) -> Status[dict[str, Any]]:
    """延续备案：新建一份延续备案申请，沿用上次备案的申请表和材料；之后按普通备案申请办理。"""
    institution = institution_for(request.user, public_id)
    application: Application = svc.renewal_start(actor=_actor(request), institution=institution, at=clock.now())
    return Status(201, {"application_id": application.public_id, "status": application.status})


# --- change filings --------------------------------------------------------------------------


@lifecycle_router.get("/changes", response=list[ChangeOut])
def list_changes(request: HttpRequest, status: str | None = None, late: bool | None = None) -> list[ChangeFiling]:
    qs = svc.changes_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    if late is not None:
        qs = qs.filter(late=late)
    return list(qs[:500])


@lifecycle_router.post("/institutions/{uuid:public_id}/changes", response={201: ChangeOut, **ERRORS})
def report_change(request: HttpRequest, public_id: uuid.UUID, kind: Form[str], change_date: Form[dt.date],
                  changes: Form[str], document: File[UploadedFile]) -> Status[ChangeFiling]:
    """报送变更备案（001 四；000 二(四)）：kind 为 scope / venue / identity；逾期报送照常受理并标记逾期。"""
    institution = institution_for(request.user, public_id)
    return Status(201, svc.change_report(actor=_actor(request), institution=institution, kind=kind,
                                  changes=_changes_json(changes), change_date=change_date, upload=document,
                                  at=clock.now()))


@lifecycle_router.get("/changes/{uuid:public_id}", response={200: ChangeOut, 404: ErrorOut})
def get_change(request: HttpRequest, public_id: uuid.UUID) -> ChangeFiling:
    return svc.one_of(svc.changes_visible_to(request.user), public_id)


def _change(request: HttpRequest, public_id: uuid.UUID) -> ChangeFiling:
    return svc.one_of(svc.changes_visible_to(request.user), public_id)


@lifecycle_router.post("/changes/{uuid:public_id}/start-evaluation", response={200: ChangeOut, **ERRORS})
def change_start_evaluation(request: HttpRequest, public_id: uuid.UUID) -> ChangeFiling:
    return svc.change_start_evaluation(actor=_actor(request), change=_change(request, public_id), at=clock.now())


@lifecycle_router.post("/changes/{uuid:public_id}/conclude-evaluation", response={200: ChangeOut, **ERRORS})
def change_conclude_evaluation(request: HttpRequest, public_id: uuid.UUID, body: EvaluationIn) -> ChangeFiling:
    return svc.change_conclude_evaluation(actor=_actor(request), change=_change(request, public_id), passed=body.passed,
                                          summary=body.summary, at=clock.now())


@lifecycle_router.post("/changes/{uuid:public_id}/approve", response={200: ChangeOut, **ERRORS})
def change_approve(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> ChangeFiling:
    """准予变更：更新机构信息和备案范围，重新公布目录（保留以往各版本）。"""
    return svc.change_approve(actor=_actor(request), change=_change(request, public_id), reason=body.reason,
                              at=clock.now())


@lifecycle_router.post("/changes/{uuid:public_id}/refuse", response={200: ChangeOut, **ERRORS})
def change_refuse(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> ChangeFiling:
    return svc.change_refuse(actor=_actor(request), change=_change(request, public_id), reason=body.reason,
                             source=body.source, at=clock.now())


@lifecycle_router.post("/changes/{uuid:public_id}/withdraw", response={200: ChangeOut, **ERRORS})
def change_withdraw(request: HttpRequest, public_id: uuid.UUID) -> ChangeFiling:
    return svc.change_withdraw(actor=_actor(request), change=_change(request, public_id), at=clock.now())


# --- branches and places of work ------------------------------------------------------------


@lifecycle_router.get("/branch-reports", response=list[BranchReportOut])
def list_branch_reports(request: HttpRequest) -> list[BranchReport]:
    return list(svc.branch_reports_visible_to(request.user)[:500])


@lifecycle_router.post("/institutions/{uuid:public_id}/branch-reports", response={201: BranchReportOut, **ERRORS})
def make_branch_report(request: HttpRequest, public_id: uuid.UUID, region_code: Form[str], starts_on: Form[dt.date],
                       branch_name: Form[str] = "", address: Form[str] = "", note: Form[str] = "",
                       document: File[UploadedFile] | None = None) -> Status[BranchReport]:
    """分支机构报备（003 三(五)）：在实施地盟市开展认定前报备。"""
    institution = institution_for(request.user, public_id)
    report = svc.branch_report_make(actor=_actor(request), institution=institution, region_code=region_code.strip(),
                                    starts_on=starts_on, branch_name=branch_name, address=address, note=note,
                                    upload=document, at=clock.now())
    return Status(201, report)


@lifecycle_router.get("/institutions/{uuid:public_id}/may-work-in", response={200: WorkPlaceOut, 404: ErrorOut})
def work_place(request: HttpRequest, public_id: uuid.UUID, region_code: str) -> dict[str, Any]:
    """机构能否在该地区开展考核（本机构所在地/备案范围内，或已向该盟市报备）。"""
    institution = institution_for(request.user, public_id)
    return {"region_code": region_code, "allowed": svc.may_work_in(institution, region_code)}


# --- scope and suspension -------------------------------------------------------------------


@lifecycle_router.get("/institutions/{uuid:public_id}/scope", response={200: list[ScopeOut], 404: ErrorOut})
def list_scope(request: HttpRequest, public_id: uuid.UUID) -> list[InstitutionScope]:
    return list(institution_for(request.user, public_id).scope.order_by("name", "-level"))


def _scope(request: HttpRequest, public_id: uuid.UUID, scope_id: int) -> InstitutionScope:
    institution = institution_for(request.user, public_id)
    row = InstitutionScope.objects.filter(institution=institution, pk=scope_id).first()
    if row is None:
        from django.http import Http404

        raise Http404("未找到该备案范围")
    return row


@lifecycle_router.post("/institutions/{uuid:public_id}/scope/{scope_id}/suspend", response={200: ScopeOut, **ERRORS})
def suspend_scope(request: HttpRequest, public_id: uuid.UUID, scope_id: int, body: ReasonIn) -> InstitutionScope:
    """暂停某一职业（工种）/项目（001 五(二)），目录随之更新。"""
    return svc.scope_suspend(actor=_actor(request), scope=_scope(request, public_id, scope_id), reason=body.reason,
                             source=body.source, at=clock.now())


@lifecycle_router.post("/institutions/{uuid:public_id}/scope/{scope_id}/lift", response={200: ScopeOut, **ERRORS})
def lift_scope(request: HttpRequest, public_id: uuid.UUID, scope_id: int, body: ReasonIn) -> InstitutionScope:
    return svc.scope_lift(actor=_actor(request), scope=_scope(request, public_id, scope_id), reason=body.reason,
                          at=clock.now())


# --- cancellation and stop orders ---------------------------------------------------------


@lifecycle_router.post("/institutions/{uuid:public_id}/cancellation", response={201: CancellationOut, **ERRORS})
def request_cancellation(request: HttpRequest, public_id: uuid.UUID, reason: Form[str],
                         document: File[UploadedFile]) -> Status[CancellationRequest]:
    """申请注销备案（000 二(四)，001 四(三)），附书面申请。"""
    institution = institution_for(request.user, public_id)
    item = svc.cancellation_request(actor=_actor(request), institution=institution, reason=reason, upload=document,
                                    at=clock.now())
    return Status(201, item)


@lifecycle_router.post("/cancellations/{uuid:public_id}/confirm", response={200: CancellationOut, **ERRORS})
def confirm_cancellation(request: HttpRequest, public_id: uuid.UUID) -> CancellationRequest:
    item = svc.one_of(svc.cancellations_visible_to(request.user), public_id)
    return svc.cancellation_confirm(actor=_actor(request), request=item, at=clock.now())


@lifecycle_router.get("/stop-orders", response=list[StopOrderOut])
def list_stop_orders(request: HttpRequest) -> list[StopOrder]:
    return list(svc.stop_orders_visible_to(request.user)[:500])


@lifecycle_router.post("/stop-orders", response={201: StopOrderOut, **ERRORS})
def record_stop_order(request: HttpRequest, body_name: Form[str], region_code: Form[str], facts: Form[str],
                      ordered_on: Form[dt.date], credit_code: Form[str] = "",
                      document: File[UploadedFile] | None = None) -> Status[StopOrder]:
    """记录责令未备案擅自开展鉴定的单位停止鉴定活动（001 五(五)）。"""
    order = svc.stop_order_record(actor=_actor(request), body_name=body_name, region_code=region_code.strip(),
                                  facts=facts, ordered_on=ordered_on, credit_code=credit_code, upload=document,
                                  at=clock.now())
    return Status(201, order)


# --- the project catalogue --------------------------------------------------------------------


@lifecycle_router.get("/project-requests", response=list[ProjectRequestOut])
def list_project_requests(request: HttpRequest) -> list[ProjectRequest]:
    return list(svc.project_requests_visible_to(request.user)[:500])


@lifecycle_router.post("/project-requests", response={201: ProjectRequestOut, **ERRORS})
def submit_project_request(request: HttpRequest, origin: Form[str], name: Form[str],
                           specification: File[UploadedFile], code: Form[str] = "", origin_note: Form[str] = "",
                           question_bank: Form[bool] = False, reason: Form[str] = "",
                           question_bank_file: File[UploadedFile] | None = None) -> Status[ProjectRequest]:
    """申请增设考核项目（004 四(二)(三)）：origin 为 national / other_province / new。"""
    return Status(201, svc.project_request_submit(
        actor=_actor(request), origin=origin, name=name, code=code, origin_note=origin_note,
        question_bank=question_bank, specification=specification, question_bank_upload=question_bank_file,
        reason=reason, at=clock.now()))


def _project(request: HttpRequest, public_id: uuid.UUID) -> ProjectRequest:
    return svc.one_of(svc.project_requests_visible_to(request.user), public_id)


@lifecycle_router.post("/project-requests/{uuid:public_id}/review", response={200: ProjectRequestOut, **ERRORS})
def review_project_request(request: HttpRequest, public_id: uuid.UUID) -> ProjectRequest:
    return svc.project_request_review(actor=_actor(request), request=_project(request, public_id), at=clock.now())


@lifecycle_router.post("/project-requests/{uuid:public_id}/send", response={200: ProjectRequestOut, **ERRORS})
def send_project_request(request: HttpRequest, public_id: uuid.UUID) -> ProjectRequest:
    """记录已报部中心备案。"""
    return svc.project_request_send(actor=_actor(request), request=_project(request, public_id), at=clock.now())


@lifecycle_router.post("/project-requests/{uuid:public_id}/file", response={200: ProjectRequestOut, **ERRORS})
def file_project_request(request: HttpRequest, public_id: uuid.UUID, body: FiledIn) -> ProjectRequest:
    """部中心已备案：项目纳入本省考核项目目录。"""
    return svc.project_request_file(actor=_actor(request), request=_project(request, public_id),
                                    national_reference=body.national_reference, at=clock.now())


@lifecycle_router.post("/project-requests/{uuid:public_id}/refuse", response={200: ProjectRequestOut, **ERRORS})
def refuse_project_request(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> ProjectRequest:
    return svc.project_request_refuse(actor=_actor(request), request=_project(request, public_id), reason=body.reason,
                                      at=clock.now())
