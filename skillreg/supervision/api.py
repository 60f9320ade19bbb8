"""/api/v1/supervision (officials, inspectors) and /api/v1/public/complaints (anyone).

The same services as the pages; refusals come back as {code, message, source, field}.
Complainants' contact details never appear in any response.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from skillreg.accounts.models import Role
from skillreg.core import clock
from skillreg.core.errors import InvalidInput
from skillreg.supervision import decisions, ratelimit, selectors, yearend
from skillreg.supervision.models import AnnualReport, Complaint, Inspection, InspectionPlan, ViolationRecord
from skillreg.supervision.services import complaints as complaint_services
from skillreg.supervision.services import grading, inspections, reports, sanctions, violations
from skillreg.supervision.services.common import NotAllowed, is_official

router = Router(tags=["监督管理"])
public_router = Router(tags=["投诉举报（公开）"])


def _official(request: HttpRequest) -> Any:
    if not is_official(request.user):
        raise NotAllowed("只有备案部门的工作人员可以使用此接口")
    return request.user


# --- schemas -----------------------------------------------------------------------------------

class PlanIn(Schema):
    title: str = Field(max_length=200)
    year: int
    items: list[str]
    draw_count: int | None = None
    draw_percent: int | None = None
    inspectors_per_body: int = 2
    pack_filter: str = ""
    region_filter: str = ""


class InspectionOut(Schema):
    id: uuid.UUID
    institution: str
    institution_code: str | None
    rank: int
    status: str
    inspectors: list[str]
    inspector_draw: uuid.UUID | None
    result: str
    publish_due: dt.date | None

    @staticmethod
    def of(i: Inspection) -> InspectionOut:
        return InspectionOut(id=i.public_id, institution=i.institution.name, institution_code=i.institution.code,
                             rank=i.rank, status=i.status, inspectors=[str(u) for u in i.inspectors.all()],
                             inspector_draw=i.inspector_draw.public_id if i.inspector_draw else None,
                             result=i.result, publish_due=i.publish_due)


class PlanOut(Schema):
    id: uuid.UUID
    title: str
    year: int
    items: list[str]
    status: str
    body_draw: uuid.UUID | None
    inspections: list[InspectionOut]

    @staticmethod
    def of(p: InspectionPlan) -> PlanOut:
        return PlanOut(id=p.public_id, title=p.title, year=p.year, items=p.items, status=p.status,
                       body_draw=p.body_draw.public_id if p.body_draw else None,
                       inspections=[InspectionOut.of(i) for i in p.inspections.select_related(
                           "institution", "inspector_draw").prefetch_related("inspectors")])


class ConflictIn(Schema):
    inspector_id: int
    institution_id: uuid.UUID
    reason: str = Field(max_length=200)


class FindingIn(Schema):
    item: str
    outcome: str
    note: str = Field("", max_length=5000)


class ConcludeIn(Schema):
    result: str
    conclusion: str = Field("", max_length=5000)


class EvaluationIn(Schema):
    kind: str
    grade: str
    direct_fail: list[str] = []
    notes: str = Field("", max_length=5000)
    rectification_id: uuid.UUID | None = None


class EvaluationOut(Schema):
    id: uuid.UUID
    kind: str
    grade: str
    direct_fail: list[str]
    source: str
    rectification_opened: uuid.UUID | None
    proposal: uuid.UUID | None


class ViolationIn(Schema):
    institution_id: uuid.UUID
    catalogue: str
    item: str
    facts: str = Field(max_length=5000)
    found_via: str
    complaint_id: uuid.UUID | None = None


class DecisionIn(Schema):
    steps: list[str]
    note: str = Field("", max_length=5000)
    deadline: dt.date | None = None
    suspended_scope: str = Field("", max_length=200)


class ViolationOut(Schema):
    id: uuid.UUID
    institution: str
    item_text: str
    source: str
    status: str
    decision_step: str
    sanction: str

    @staticmethod
    def of(v: ViolationRecord) -> ViolationOut:
        return ViolationOut(id=v.public_id, institution=v.institution.name, item_text=v.item_text,
                            source=v.source, status=v.status, decision_step=v.decision_step, sanction=v.sanction)


class ProposalDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


class ProposalOut(Schema):
    id: uuid.UUID
    institution: str
    status: str
    source: str
    blacklist: bool


class ComplaintIn(Schema):
    institution_code: str = Field(max_length=40)
    subject: str = Field(max_length=complaint_services.SUBJECT_MAX)
    content: str = Field(max_length=complaint_services.CONTENT_MAX)
    name: str = Field("", max_length=complaint_services.NAME_MAX)
    contact: str = Field("", max_length=complaint_services.CONTACT_MAX)


class ComplaintCreatedOut(Schema):
    tracking_number: str
    secret: str
    answer_due: dt.date
    answer_due_basis: str


class TrackIn(Schema):
    tracking_number: str = Field(max_length=20)
    secret: str = Field(max_length=64)


class ComplaintPublicOut(Schema):
    tracking_number: str
    institution: str
    subject: str
    status: str
    received_at: dt.datetime
    answer_due: dt.date
    overdue: bool
    finding: str
    answer: str
    answered_at: dt.datetime | None

    @staticmethod
    def of(c: Complaint) -> ComplaintPublicOut:
        return ComplaintPublicOut(
            tracking_number=c.tracking_number, institution=c.institution.name, subject=c.subject, status=c.status,
            received_at=c.received_at, answer_due=c.answer_due,
            overdue=complaint_services.is_overdue(c, clock.today()), finding=c.finding, answer=c.answer,
            answered_at=c.answered_at)


class AnswerIn(Schema):
    finding: str
    answer: str = Field(max_length=complaint_services.ANSWER_MAX)


class BlacklistOut(Schema):
    credit_code: str
    name: str
    source: str
    listed_at: dt.datetime


# --- plans and inspections -------------------------------------------------------------------------

@router.get("/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> list[PlanOut]:
    return [PlanOut.of(p) for p in selectors.plans_visible_to(_official(request))[:200]]


@router.post("/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, body: PlanIn) -> Status:
    user = _official(request)
    if user.authority is None:
        raise InvalidInput("请以备案部门账号制定计划", field="authority")
    plan = inspections.plan_create(actor=user, authority=user.authority, at=clock.now(), **body.dict())
    return Status(201, PlanOut.of(plan))


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_get(request: HttpRequest, plan_id: uuid.UUID) -> PlanOut:
    return PlanOut.of(selectors.plan_for(_official(request), plan_id))


@router.post("/plans/{plan_id}/conflicts", response={201: dict})
def plan_conflict(request: HttpRequest, plan_id: uuid.UUID, body: ConflictIn) -> Status:
    user = _official(request)
    plan = selectors.plan_for(user, plan_id)
    inspector = inspections.inspector_pool(plan).filter(pk=body.inspector_id).first()
    institution = inspections.body_pool(plan).filter(public_id=body.institution_id).first()
    if inspector is None or institution is None:
        raise Http404
    inspections.conflict_declare(actor=user, plan=plan, inspector=inspector, institution=institution,
                                 reason=body.reason, at=clock.now())
    return Status(201, {"ok": True})


@router.post("/plans/{plan_id}/draw-bodies", response=PlanOut)
def plan_draw_bodies(request: HttpRequest, plan_id: uuid.UUID) -> PlanOut:
    user = _official(request)
    return PlanOut.of(inspections.plan_draw_bodies(actor=user, plan=selectors.plan_for(user, plan_id),
                                                   at=clock.now()))


@router.post("/plans/{plan_id}/draw-inspectors", response=PlanOut)
def plan_draw_inspectors(request: HttpRequest, plan_id: uuid.UUID) -> PlanOut:
    user = _official(request)
    return PlanOut.of(inspections.plan_draw_inspectors(actor=user, plan=selectors.plan_for(user, plan_id),
                                                       at=clock.now()))


@router.post("/plans/{plan_id}/publish", response=dict)
def plan_publish(request: HttpRequest, plan_id: uuid.UUID) -> dict:
    user = _official(request)
    return {"published": inspections.plan_publish(actor=user, plan=selectors.plan_for(user, plan_id),
                                                  at=clock.now())}


@router.post("/inspections/{inspection_id}/findings", response={201: dict})
def finding_record(request: HttpRequest, inspection_id: uuid.UUID, body: FindingIn) -> Status:
    inspection = selectors.inspection_for(request.user, inspection_id)
    inspections.finding_record(actor=request.user, inspection=inspection, at=clock.now(), **body.dict())
    return Status(201, {"ok": True})


@router.post("/inspections/{inspection_id}/conclude", response=InspectionOut)
def inspection_conclude(request: HttpRequest, inspection_id: uuid.UUID, body: ConcludeIn) -> InspectionOut:
    inspection = selectors.inspection_for(request.user, inspection_id)
    return InspectionOut.of(inspections.inspection_conclude(actor=request.user, inspection=inspection,
                                                            at=clock.now(), **body.dict()))


# --- evaluation, violations, proposals ---------------------------------------------------------------

@router.post("/institutions/{institution_id}/evaluations", response={201: EvaluationOut})
def evaluation_record(request: HttpRequest, institution_id: uuid.UUID,
                      body: EvaluationIn) -> Status:
    user = _official(request)
    institution = selectors.institution_for(user, institution_id)
    rect = (selectors.rectification_for(user, body.rectification_id) if body.rectification_id else None)
    ev = grading.evaluation_record(actor=user, institution=institution, kind=body.kind, proposed_grade=body.grade,
                                   direct_fail=body.direct_fail, notes=body.notes, rectification=rect,
                                   at=clock.now())
    opened = ev.rectifications.first()
    proposal = rect.proposals.first() if rect is not None else None
    return Status(201, EvaluationOut(id=ev.public_id, kind=ev.kind, grade=ev.grade, direct_fail=ev.direct_fail,
                              source=ev.source, rectification_opened=opened.public_id if opened else None,
                              proposal=proposal.public_id if proposal else None))


@router.post("/violations", response={201: ViolationOut})
def violation_record(request: HttpRequest, body: ViolationIn) -> Status:
    user = _official(request)
    institution = selectors.institution_for(user, body.institution_id)
    complaint = selectors.complaint_for(user, body.complaint_id) if body.complaint_id else None
    record = violations.violation_record(actor=user, institution=institution, catalogue_key=body.catalogue,
                                         item_key=body.item, facts=body.facts, found_via=body.found_via,
                                         complaint=complaint, at=clock.now())
    return Status(201, ViolationOut.of(record))


@router.post("/violations/{violation_id}/decide", response=ViolationOut)
def violation_decide(request: HttpRequest, violation_id: uuid.UUID, body: DecisionIn) -> ViolationOut:
    user = _official(request)
    record = selectors.violation_for(user, violation_id)
    return ViolationOut.of(violations.violation_decide(actor=user, violation=record, at=clock.now(), **body.dict()))


@router.post("/proposals/{proposal_id}/decide", response=ProposalOut)
def proposal_decide(request: HttpRequest, proposal_id: uuid.UUID, body: ProposalDecisionIn) -> ProposalOut:
    user = _official(request)
    p = sanctions.proposal_decide(actor=user, proposal=selectors.proposal_for(user, proposal_id),
                                  approve=body.approve, note=body.note, at=clock.now())
    return ProposalOut(id=p.public_id, institution=p.institution.name, status=p.status, source=p.source,
                       blacklist=p.blacklist)


@router.get("/blacklist", response=list[BlacklistOut])
def blacklist(request: HttpRequest) -> list[BlacklistOut]:
    return [BlacklistOut(credit_code=b.credit_code, name=b.name, source=b.source, listed_at=b.listed_at)
            for b in selectors.public_blacklist()[:1000]]


# --- complaints: the authority's side -----------------------------------------------------------

@router.post("/complaints/{complaint_id}/answer", response=ComplaintPublicOut)
def complaint_answer(request: HttpRequest, complaint_id: uuid.UUID, body: AnswerIn) -> ComplaintPublicOut:
    user = _official(request)
    complaint = selectors.complaint_for(user, complaint_id)
    return ComplaintPublicOut.of(complaint_services.complaint_answer(
        actor=user, complaint=complaint, finding=body.finding, answer=body.answer, at=clock.now()))


# --- annual work plans and summaries (002 第五条(五)); the city's year-end summary (003 六) ------------

YEAR_MIN, YEAR_MAX = 2000, 2100


class AnnualReportIn(Schema):
    kind: str = Field(max_length=10, description="plan（年度工作计划）或 summary（年度工作总结）")
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    content: str = Field(max_length=reports.CONTENT_MAX)


class AnnualReportOut(Schema):
    id: uuid.UUID
    institution: str
    year: int
    kind: str
    content: str
    due: dt.date
    due_basis: str
    late: bool
    source: str
    submitted_at: dt.datetime

    @staticmethod
    def of(r: AnnualReport) -> AnnualReportOut:
        return AnnualReportOut(id=r.public_id, institution=r.institution.name, year=r.year, kind=r.kind,
                               content=r.content, due=r.due, due_basis=r.due_source, late=r.late, source=r.source,
                               submitted_at=r.submitted_at)


class AnnualReportStateOut(Schema):
    institution_id: uuid.UUID
    institution: str
    institution_code: str | None
    year: int
    kind: str
    due: dt.date
    due_basis: str
    required: bool
    status: str
    overdue: bool
    report_id: uuid.UUID | None
    late: bool | None


@router.get("/annual-reports", response=list[AnnualReportStateOut])
def annual_report_states(request: HttpRequest,
                         year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX)) -> list[AnnualReportStateOut]:
    """Who has and who has not submitted the plan and summary of ``year`` (an institution: itself)."""
    user: Any = request.user
    today = clock.today()
    if user.role == Role.INSTITUTION_USER and user.institution_id:
        rows = [(user.institution, reports.states_for(user.institution, year))]
    else:
        rows = selectors.annual_report_overview(_official(request), year)
    return [AnnualReportStateOut(
        institution_id=inst.public_id, institution=inst.name, institution_code=inst.code, year=year, kind=s.kind,
        due=s.due, due_basis=s.due_source, required=s.required, status=s.status(today), overdue=s.overdue(today),
        report_id=s.report.public_id if s.report else None, late=s.report.late if s.report else None)
        for inst, states in rows for s in states]


@router.post("/annual-reports", response={201: AnnualReportOut})
def annual_report_submit(request: HttpRequest, body: AnnualReportIn) -> Status:
    report = reports.annual_report_submit(actor=request.user, kind=body.kind, year=body.year, content=body.content,
                                          at=clock.now())
    return Status(201, AnnualReportOut.of(report))


@router.get("/annual-reports/{report_id}", response=AnnualReportOut)
def annual_report_get(request: HttpRequest, report_id: uuid.UUID) -> AnnualReportOut:
    return AnnualReportOut.of(selectors.annual_report_for(request.user, report_id))


@router.get("/year-end-summary", response={200: None}, summary="市（盟）年度总结 XLSX（003 六）")
def year_end_summary(request: HttpRequest, city: str = Query(..., max_length=6),
                     year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX)) -> HttpResponse:
    """003 六: the city's year-end summary of its filed bodies, for city and province officials."""
    user = _official(request)
    if year > clock.today().year:
        raise InvalidInput("年度不能晚于今年", field="year")
    summary = yearend.year_end_summary(yearend.city_for(user, city), year)
    response = HttpResponse(yearend.to_xlsx(summary), content_type=yearend.XLSX)
    response["Content-Disposition"] = decisions.disposition(yearend.filename(summary))
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/documents/{kind}/{object_id}", response={200: None},
            summary="处理决定书、限期整改通知书、终止（取消）备案决定书")
def decision_document(request: HttpRequest, kind: str, object_id: uuid.UUID,
                      fmt: str = Query("pdf", max_length=4)) -> HttpResponse:
    """``kind``: violation / rectification / termination; ``fmt``: pdf or docx."""
    obj = selectors.decision_subject(request.user, kind, object_id)
    content, content_type, name = decisions.render(kind, obj, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = decisions.disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- public ----------------------------------------------------------------------------------------

@public_router.post("", response={201: ComplaintCreatedOut}, auth=None)
def complaint_submit(request: HttpRequest, body: ComplaintIn) -> Status:
    ratelimit.check(request, "submit")
    complaint, secret = complaint_services.complaint_submit(at=clock.now(), **body.dict())
    return Status(201, ComplaintCreatedOut(tracking_number=complaint.tracking_number, secret=secret,
                                           answer_due=complaint.answer_due,
                                           answer_due_basis=complaint.answer_due_source))


@public_router.post("/track", response=ComplaintPublicOut, auth=None)
def complaint_track(request: HttpRequest, body: TrackIn) -> ComplaintPublicOut:
    ratelimit.check(request, "track")
    return ComplaintPublicOut.of(complaint_services.complaint_track(tracking_number=body.tracking_number,
                                                                    secret=body.secret))
