"""/api/v1/exams: the same services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from skillreg.accounts.models import User
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams import selectors as sel
from skillreg.exams.models import (
    Assessor,
    AssessorCertificate,
    ExamPlan,
    Registration,
    RosterImport,
    TrainingRoster,
    Venue,
)
from skillreg.exams.services import assessors, dispatch, imports, plans, registrations, scoring
from skillreg.exams.services.registrations import CandidateRow
from skillreg.exams.xlsx import XLSX_CONTENT_TYPE, results_export_bytes, roster_export_bytes, template_bytes
from skillreg.files.services import file_store
from skillreg.registry.models import Institution, InstitutionScope

router = Router(tags=["考务"])


def _institution(request: HttpRequest) -> Any:
    if request.user.institution is None:  # type: ignore[union-attr]
        raise DomainError("只有考核机构用户可以办理此事项", code="forbidden")
    return request.user.institution  # type: ignore[union-attr]


class VenueOut(Schema):
    id: uuid.UUID
    institution: str
    kind: str
    name: str
    address: str
    region_code: str
    status: str
    decision_reason: str

    @staticmethod
    def resolve_id(obj: Venue) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution(obj: Venue) -> str:
        return obj.institution.name


class OffSiteIn(Schema):
    name: str
    address: str
    region_code: str
    rooms: int = 1
    capacity: int = 0
    reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class PlanIn(Schema):
    scope_id: int
    venue_id: uuid.UUID
    title: str = ""
    registration_opens: dt.date
    registration_closes: dt.date
    exam_start: dt.date
    exam_end: dt.date
    fee: Decimal
    fee_basis: str = ""
    pass_mark: Decimal = Decimal(60)
    capacity: int | None = None


class PlanOut(Schema):
    id: uuid.UUID
    institution: str
    title: str
    scope_name: str
    level: int | None
    venue: str
    region_code: str
    registration_opens: dt.date
    registration_closes: dt.date
    exam_start: dt.date
    exam_end: dt.date
    fee: Decimal
    pass_mark: Decimal
    status: str
    status_label: str
    results_approved: bool

    @staticmethod
    def resolve_id(obj: ExamPlan) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_institution(obj: ExamPlan) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_venue(obj: ExamPlan) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_status_label(obj: ExamPlan) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_results_approved(obj: ExamPlan) -> bool:
        return obj.status == ExamPlan.Status.RESULTS_APPROVED


class CandidateIn(Schema):
    name: str
    id_number: str
    education: str
    work_unit: str = ""
    relation: str = "none"
    phone: str = ""


class RegistrationOut(Schema):
    id: uuid.UUID
    name: str
    id_number_masked: str
    gender: str
    education: str
    work_unit: str
    relation: str
    score: Decimal | None
    passed: bool | None

    @staticmethod
    def resolve_id(obj: Registration) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_id_number_masked(obj: Registration) -> str:
        return obj.candidate.masked_id

    @staticmethod
    def resolve_gender(obj: Registration) -> str:
        return obj.candidate.gender


class ImportOut(Schema):
    id: uuid.UUID
    status: str
    status_label: str
    total_rows: int
    processed_rows: int
    percent: int
    good_rows: int
    bad_rows: int
    imported_rows: int
    errors: list[dict[str, Any]]
    message: str

    @staticmethod
    def resolve_id(obj: RosterImport) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_status_label(obj: RosterImport) -> str:
        return obj.get_status_display()


class ReviewOut(Schema):
    id: int
    status: str
    roster_count: int
    reason: str


class CountIn(Schema):
    count: int


class AssignmentOut(Schema):
    assessor: str
    rotated_in: bool
    draw: uuid.UUID

    @staticmethod
    def resolve_assessor(obj: Any) -> str:
        return obj.assessor.name

    @staticmethod
    def resolve_draw(obj: Any) -> uuid.UUID:
        return obj.draw.public_id


class ScoresIn(Schema):
    scores: dict[uuid.UUID, Decimal | None]


class SignIn(Schema):
    signature_name: str


class SheetOut(Schema):
    assessor: str
    submitted_at: dt.datetime | None
    signature_name: str
    scores: dict[str, Decimal | None]

    @staticmethod
    def resolve_assessor(obj: Any) -> str:
        return obj.assignment.assessor.name

    @staticmethod
    def resolve_scores(obj: Any) -> dict[str, Decimal | None]:
        return {str(s.registration.public_id): s.value for s in obj.scores.all()}


class CorrectionIn(Schema):
    value: Decimal | None
    reason: str


class AnswerSheetIn(Schema):
    room: str
    answers: list[str | None]


class ReportIn(Schema):
    site_record: str
    assessor_evaluation: list[dict[str, str]] = []
    corrections: str = ""


# --- venues ---------------------------------------------------------------------------


@router.get("/venues", response=list[VenueOut])
def list_venues(request: HttpRequest) -> list[Venue]:
    return list(sel.venues_visible_to(request.user)[:500])


@router.post("/venues/off-site", response={201: VenueOut})
def apply_off_site(request: HttpRequest, body: OffSiteIn) -> Status:
    """002 第十三条：场外考点（场）申请。"""
    return Status(201, plans.venue_apply_off_site(actor=request.user, institution=_institution(request),
                                           at=clock.now(), **body.dict()))


@router.post("/venues/{uuid:public_id}/decision", response=VenueOut)
def decide_venue(request: HttpRequest, public_id: uuid.UUID, body: DecisionIn) -> Venue:
    venue = sel.venue_for(request.user, public_id)
    return plans.venue_decide(actor=request.user, venue=venue, approve=body.approve, reason=body.reason,
                              at=clock.now())


# --- plans ----------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> list[ExamPlan]:
    return list(sel.plan_list(request.user)[:500])


@router.post("/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, body: PlanIn) -> Status:
    institution = _institution(request)
    scope = InstitutionScope.objects.filter(pk=body.scope_id, institution=institution).first()
    if scope is None:
        raise DomainError("该职业（工种）或项目不在本机构的备案范围内", code="scope_unknown", field="scope_id")
    venue = sel.venue_for(request.user, body.venue_id)
    data = body.dict(exclude={"scope_id", "venue_id"})
    return Status(201, plans.plan_create(actor=request.user, institution=institution, scope=scope, venue=venue,
                                  at=clock.now(), **data))


@router.get("/plans/{uuid:public_id}", response=PlanOut)
def get_plan(request: HttpRequest, public_id: uuid.UUID) -> ExamPlan:
    return sel.plan_for(request.user, public_id)


@router.post("/plans/{uuid:public_id}/publish", response=PlanOut)
def publish_plan(request: HttpRequest, public_id: uuid.UUID) -> ExamPlan:
    return plans.plan_publish(actor=request.user, plan=sel.plan_for(request.user, public_id), at=clock.now())


class PassMarkIn(Schema):
    pass_mark: Decimal


class NameIn(Schema):
    name: str


@router.post("/plans/{uuid:public_id}/cancel", response=PlanOut)
def cancel_plan(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> ExamPlan:
    return plans.plan_cancel(actor=request.user, plan=sel.plan_for(request.user, public_id), reason=body.reason,
                             at=clock.now())


@router.put("/plans/{uuid:public_id}/pass-mark", response=PlanOut)
def set_pass_mark(request: HttpRequest, public_id: uuid.UUID, body: PassMarkIn) -> ExamPlan:
    """000 三(四)4：合格分数线在考核开始前确定，考核开始后不得降低或提高。"""
    return plans.plan_set_pass_mark(actor=request.user, plan=sel.plan_for(request.user, public_id),
                                    pass_mark=body.pass_mark, at=clock.now())


@router.post("/plans/{uuid:public_id}/internal-supervisors", response={201: dict})
def record_internal_supervisor(request: HttpRequest, public_id: uuid.UUID, body: NameIn) -> Status:
    """003 四(五)：机构内部质量督导员，与鉴定中心委派的外部督导员分开记录。"""
    made = dispatch.internal_supervisor_record(actor=request.user, plan=sel.plan_for(request.user, public_id),
                                               name=body.name, at=clock.now())
    return Status(201, {"id": made.pk, "name": made.name, "kind": made.kind})


@router.post("/registrations/{uuid:public_id}/withdraw", response=RegistrationOut)
def withdraw_registration(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> Registration:
    if not body.reason.strip():
        raise InvalidInput("撤销报名须写明原因", field="reason")
    return registrations.registration_withdraw(actor=request.user, registration=sel.registration_for(
        request.user, public_id), reason=body.reason, at=clock.now())


@router.get("/plans/{uuid:public_id}/registrations", response=list[RegistrationOut])
def list_registrations(request: HttpRequest, public_id: uuid.UUID) -> list[Registration]:
    return list(sel.registrations_of(sel.plan_for(request.user, public_id))[:5000])


@router.post("/plans/{uuid:public_id}/registrations", response={201: RegistrationOut})
def register_candidate(request: HttpRequest, public_id: uuid.UUID, body: CandidateIn) -> Status:
    plan = sel.plan_for(request.user, public_id)
    return Status(201, registrations.registration_create(actor=request.user, plan=plan, row=CandidateRow(**body.dict()),
                                                  at=clock.now()))


@router.post("/registrations/{uuid:public_id}/materials/{key}", response={201: dict})
def attach_material(request: HttpRequest, public_id: uuid.UUID, key: str,
                    file: File[UploadedFile]) -> Status:
    reg = sel.registration_for(request.user, public_id)
    material = registrations.registration_attach_material(actor=request.user, registration=reg, key=key,
                                                          upload=file, at=clock.now())
    return Status(201, {"key": material.key, "file": str(material.file.public_id)})


@router.post("/plans/{uuid:public_id}/roster", response={201: ReviewOut})
def submit_roster(request: HttpRequest, public_id: uuid.UUID,
                  quality_letter: File[UploadedFile]) -> Status:
    """002 第六条(一)：报送报名质量责任书和考核人员花名册。"""
    plan = sel.plan_for(request.user, public_id)
    now = clock.now()
    with transaction.atomic():
        letter = file_store(actor=request.user, upload=quality_letter, at=now, field="quality_letter")
        return Status(201, registrations.roster_submit(actor=request.user, plan=plan, quality_letter=letter, at=now))


@router.post("/roster-reviews/{int:pk}/decision", response=ReviewOut)
def decide_roster(request: HttpRequest, pk: int, body: DecisionIn) -> Any:
    review = sel.roster_review_for(request.user, pk)
    return registrations.roster_decide(actor=request.user, review=review, approve=body.approve,
                                       reason=body.reason, at=clock.now())


# --- import / export --------------------------------------------------------------------


@router.get("/roster-template.xlsx", auth=None)
def roster_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''roster-template.xlsx"
    return response


@router.post("/plans/{uuid:public_id}/imports", response={201: ImportOut})
def start_import(request: HttpRequest, public_id: uuid.UUID, file: File[UploadedFile]) -> Status:
    plan = sel.plan_for(request.user, public_id)
    return Status(201, imports.roster_import_start(actor=request.user, plan=plan, upload=file, at=clock.now()))


@router.get("/imports/{uuid:public_id}", response=ImportOut)
def get_import(request: HttpRequest, public_id: uuid.UUID) -> RosterImport:
    return sel.roster_import_for(request.user, public_id)


@router.post("/imports/{uuid:public_id}/accept", response=ImportOut)
def accept_import(request: HttpRequest, public_id: uuid.UUID) -> RosterImport:
    """确认导入合格行（问题行不导入）；确认前不写入任何考生。"""
    return imports.roster_import_accept(actor=request.user, imp=sel.roster_import_for(request.user, public_id),
                                        at=clock.now())


@router.get("/plans/{uuid:public_id}/roster.xlsx")
def export_roster(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = sel.plan_for(request.user, public_id)
    response = HttpResponse(roster_export_bytes(plan, sel.registrations_of(plan)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''roster.xlsx"
    return response


@router.get("/plans/{uuid:public_id}/results.xlsx")
def export_results(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = sel.plan_for(request.user, public_id)
    response = HttpResponse(results_export_bytes(plan, sel.registrations_of(plan)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''results.xlsx"
    return response


# --- exam application, dispatch, supervision ------------------------------------------------


@router.post("/plans/{uuid:public_id}/exam-application", response={201: PlanOut})
def submit_exam_application(request: HttpRequest, public_id: uuid.UUID, scheme: Form[str],
                            papers_requested: Form[int],
                            emergency_plan: File[UploadedFile]) -> Status:
    """002 第六条(二)：报名截止后 3 个工作日内报送考核申请方案、人员名册、应急预案并申请试卷。"""
    plan = sel.plan_for(request.user, public_id)
    now = clock.now()
    with transaction.atomic():
        stored = file_store(actor=request.user, upload=emergency_plan, at=now, field="emergency_plan")
        plans.exam_application_submit(actor=request.user, plan=plan, scheme=scheme, emergency_plan=stored,
                                      papers_requested=papers_requested, at=now)
    return Status(201, sel.plan_for(request.user, public_id))


@router.post("/plans/{uuid:public_id}/exam-application/decision", response=PlanOut)
def decide_exam_application(request: HttpRequest, public_id: uuid.UUID, body: DecisionIn) -> ExamPlan:
    plan = sel.plan_for(request.user, public_id)
    plans.exam_application_decide(actor=request.user, plan=plan, approve=body.approve, reason=body.reason,
                                  at=clock.now())
    return sel.plan_for(request.user, public_id)


@router.post("/plans/{uuid:public_id}/assessors", response={201: list[AssignmentOut]})
def dispatch_assessors(request: HttpRequest, public_id: uuid.UUID, body: CountIn) -> Status:
    """002 第十五条：鉴定中心随机选派考评员（同一考点不得连续三次，每次轮换不少于三分之一）。"""
    plan = sel.plan_for(request.user, public_id)
    return Status(201, dispatch.assessors_dispatch(actor=request.user, plan=plan, count=body.count, at=clock.now()))


@router.post("/plans/{uuid:public_id}/supervisors", response={201: list[dict]})
def draw_supervisors(request: HttpRequest, public_id: uuid.UUID, body: CountIn) -> Status:
    plan = sel.plan_for(request.user, public_id)
    made = dispatch.supervisors_draw(actor=request.user, plan=plan, count=body.count, at=clock.now())
    return Status(201, [{"id": m.pk, "name": m.name, "kind": m.kind, "draw": str(m.draw.public_id)} for m in made])


@router.post("/supervisor-assignments/{int:pk}/report", response={201: dict})
def file_supervision_report(request: HttpRequest, pk: int, body: ReportIn) -> Status:
    assignment = sel.supervisor_assignment_for(request.user, pk)
    report = dispatch.supervision_report_file(actor=request.user, assignment=assignment, at=clock.now(),
                                              **body.dict())
    return Status(201, {"filed_at": report.filed_at.isoformat()})


# --- scoring and results ------------------------------------------------------------------


@router.put("/plans/{uuid:public_id}/my-scores", response=SheetOut)
def enter_scores(request: HttpRequest, public_id: uuid.UUID, body: ScoresIn) -> Any:
    plan = sel.plan_for(request.user, public_id)
    return scoring.scores_enter(actor=request.user, plan=plan, scores=dict(body.scores), at=clock.now())


@router.post("/plans/{uuid:public_id}/my-scores/sign", response=SheetOut)
def sign_scores(request: HttpRequest, public_id: uuid.UUID, body: SignIn) -> Any:
    plan = sel.plan_for(request.user, public_id)
    return scoring.score_sheet_submit(actor=request.user, plan=plan, signature_name=body.signature_name,
                                      at=clock.now())


@router.get("/plans/{uuid:public_id}/score-sheets", response=list[SheetOut])
def list_score_sheets(request: HttpRequest, public_id: uuid.UUID) -> list[Any]:
    """002 第十六条：考评员签名提交本人评分前，看不到他人的评分。"""
    return scoring.sheets_visible_to(request.user, sel.plan_for(request.user, public_id))


@router.post("/scores/{int:pk}/correction", response=dict)
def correct_score(request: HttpRequest, pk: int, body: CorrectionIn) -> dict[str, Any]:
    score = scoring.score_correct(actor=request.user, score=sel.score_for(request.user, pk), value=body.value,
                                  reason=body.reason, at=clock.now())
    return {"value": score.value}


@router.post("/plans/{uuid:public_id}/results", response=PlanOut)
def submit_results(request: HttpRequest, public_id: uuid.UUID) -> ExamPlan:
    return scoring.results_submit(actor=request.user, plan=sel.plan_for(request.user, public_id), at=clock.now())


@router.post("/plans/{uuid:public_id}/results/decision", response=PlanOut)
def decide_results(request: HttpRequest, public_id: uuid.UUID, body: DecisionIn) -> ExamPlan:
    return scoring.results_decide(actor=request.user, plan=sel.plan_for(request.user, public_id),
                                  approve=body.approve, reason=body.reason, at=clock.now())


@router.put("/registrations/{uuid:public_id}/answer-sheet", response=dict)
def record_answer_sheet(request: HttpRequest, public_id: uuid.UUID, body: AnswerSheetIn) -> dict[str, Any]:
    reg = sel.registration_for(request.user, public_id)
    sheet = scoring.answer_sheet_record(actor=request.user, registration=reg, room=body.room,
                                        answers=body.answers, at=clock.now())
    return {"room": sheet.room, "answers": sheet.answers}


# --- the assessor pool (002 第十五条) -------------------------------------------------------


class CertificateSchema(Schema):
    scope_name: str
    level: int | None = None
    number: str
    valid_until: dt.date


class AssessorIn(Schema):
    name: str
    id_number: str
    region_code: str
    employer_name: str = ""
    employer_credit_code: str = ""
    username: str = ""
    certificates: list[CertificateSchema]


class AssessorUpdateIn(Schema):
    name: str
    region_code: str
    employer_name: str = ""
    employer_credit_code: str = ""
    username: str = ""


class CertificateOut(Schema):
    id: int
    scope_name: str
    level: int | None
    number: str
    valid_until: dt.date


class AssessorOut(Schema):
    id: uuid.UUID
    name: str
    id_number_masked: str
    region_code: str
    employer_name: str
    employer_institution: str | None
    username: str | None
    active: bool
    deactivation_reason: str
    certificates: list[CertificateOut]

    @staticmethod
    def resolve_id(obj: Assessor) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_id_number_masked(obj: Assessor) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_employer_institution(obj: Assessor) -> str | None:
        return obj.employer.name if obj.employer else None

    @staticmethod
    def resolve_username(obj: Assessor) -> str | None:
        return obj.user.username if obj.user else None

    @staticmethod
    def resolve_certificates(obj: Assessor) -> list[AssessorCertificate]:
        return list(obj.certificates.all())


def _employer(code: str) -> Institution | None:
    return assessors.employer_by_credit_code(code, field="employer_credit_code")


def _linked_user(username: str) -> User | None:
    if not username.strip():
        return None
    found = User.objects.filter(username=username.strip()).first()
    if found is None:
        raise InvalidInput(f"没有用户名为“{username.strip()}”的账号", field="username")
    return found


def _certificate(c: CertificateSchema) -> assessors.CertificateIn:
    return assessors.CertificateIn(scope_name=c.scope_name, level=c.level, number=c.number,
                                   valid_until=c.valid_until)


@router.get("/assessors", response=list[AssessorOut])
def list_assessors(request: HttpRequest) -> list[Assessor]:
    """考评员库（身份证号码脱敏）：属地人社部门和鉴定中心可见。"""
    return list(sel.assessor_list(request.user)[:1000])


@router.post("/assessors", response={201: AssessorOut})
def add_assessor(request: HttpRequest, body: AssessorIn) -> Status:
    """002 第十五条：考评员入库（身份证号码按 GB 11643 校验，至少一本有效证书）。"""
    assessors.require_pool_role(request.user)
    made = assessors.assessor_add(
        actor=request.user, name=body.name, id_number=body.id_number, region_code=body.region_code,
        employer_name=body.employer_name, employer=_employer(body.employer_credit_code),
        user=_linked_user(body.username), certificates=[_certificate(c) for c in body.certificates],
        at=clock.now())
    return Status(201, sel.assessor_for(request.user, made.public_id))


@router.get("/assessors/{uuid:public_id}", response=AssessorOut)
def get_assessor(request: HttpRequest, public_id: uuid.UUID) -> Assessor:
    return sel.assessor_for(request.user, public_id)


@router.put("/assessors/{uuid:public_id}", response=AssessorOut)
def update_assessor(request: HttpRequest, public_id: uuid.UUID, body: AssessorUpdateIn) -> Assessor:
    assessor = sel.assessor_for(request.user, public_id)
    assessors.assessor_update(actor=request.user, assessor=assessor, name=body.name, region_code=body.region_code,
                              employer_name=body.employer_name, employer=_employer(body.employer_credit_code),
                              user=_linked_user(body.username), at=clock.now())
    return sel.assessor_for(request.user, public_id)


@router.post("/assessors/{uuid:public_id}/certificates", response={201: AssessorOut})
def add_assessor_certificate(request: HttpRequest, public_id: uuid.UUID, body: CertificateSchema) -> Status:
    assessor = sel.assessor_for(request.user, public_id)
    assessors.assessor_certificate_add(actor=request.user, assessor=assessor, certificate=_certificate(body),
                                       at=clock.now())
    return Status(201, sel.assessor_for(request.user, public_id))


@router.post("/assessors/{uuid:public_id}/deactivate", response=AssessorOut)
def deactivate_assessor(request: HttpRequest, public_id: uuid.UUID, body: ReasonIn) -> Assessor:
    """考评员出库（写明原因），此后不再参加选派。"""
    assessor = sel.assessor_for(request.user, public_id)
    assessors.assessor_deactivate(actor=request.user, assessor=assessor, reason=body.reason, at=clock.now())
    return sel.assessor_for(request.user, public_id)


@router.post("/assessors/{uuid:public_id}/reactivate", response=AssessorOut)
def reactivate_assessor(request: HttpRequest, public_id: uuid.UUID) -> Assessor:
    assessor = sel.assessor_for(request.user, public_id)
    assessors.assessor_reactivate(actor=request.user, assessor=assessor, at=clock.now())
    return sel.assessor_for(request.user, public_id)


# --- training rosters (002 第五条(四) 考培分离) ------------------------------------------------------


class TraineeIn(Schema):
    name: str
    id_number: str


class TrainingRosterIn(Schema):
    title: str
    trained_from: dt.date | None = None
    trained_until: dt.date | None = None
    trainees: list[TraineeIn]


class TrainingRosterOut(Schema):
    id: int
    institution: str
    title: str
    trained_from: dt.date | None
    trained_until: dt.date | None
    trainees: int
    withdrawn: bool
    withdrawal_reason: str

    @staticmethod
    def resolve_institution(obj: TrainingRoster) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_trainees(obj: TrainingRoster) -> int:
        count = getattr(obj, "trainees", None)  # annotated by the list; 0 is a count too
        return obj.entries.count() if count is None else count


@router.get("/training-rosters", response=list[TrainingRosterOut])
def list_training_rosters(request: HttpRequest) -> list[TrainingRoster]:
    return list(sel.training_roster_list(request.user)[:500])


@router.post("/training-rosters", response={201: TrainingRosterOut})
def declare_training_roster(request: HttpRequest, body: TrainingRosterIn) -> Status:
    """002 第五条(四)：申报本机构培训学员名册；名册上的人员不得报名本机构的考核。"""
    roster = registrations.training_roster_declare(
        actor=request.user, institution=_institution(request), title=body.title, trained_from=body.trained_from,
        trained_until=body.trained_until, trainees=[(t.name, t.id_number) for t in body.trainees], at=clock.now())
    return Status(201, sel.training_roster_for(request.user, roster.pk))


@router.post("/training-rosters/{int:pk}/withdraw", response=TrainingRosterOut)
def withdraw_training_roster(request: HttpRequest, pk: int, body: ReasonIn) -> TrainingRoster:
    roster = sel.training_roster_for(request.user, pk)
    registrations.training_roster_withdraw(actor=request.user, roster=roster, reason=body.reason, at=clock.now())
    return sel.training_roster_for(request.user, pk)
