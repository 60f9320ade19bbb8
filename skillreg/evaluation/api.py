"""/api/v1/evaluation (officials and experts) and /api/v1/draws (public): the same services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from skillreg.accounts.models import User
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.draws.models import Draw
from skillreg.draws.services import draw_recompute
from skillreg.evaluation import selectors, services
from skillreg.evaluation.models import Expert, Panel, PanelMember
from skillreg.policies.registry import get_pack
from skillreg.registry.models import EvaluationPlan, Institution

router = Router(tags=["专家评估"])
draws_router = Router(tags=["随机抽取"])

ALGORITHM = (
    "对候选池中未被回避排除的每名成员，以随机种子（十六进制字节）为密钥、成员编号（UTF-8）为消息计算"
    " HMAC-SHA256，按结果的十六进制字符串升序排列（相同时按成员编号），取前 count 名。"
    "结果只取决于公布的候选池、回避排除名单和种子，与候选池的排列顺序无关。"
)


# --- public draw record --------------------------------------------------------------------


class PoolMemberOut(Schema):
    key: str
    label: str


class ExclusionOut(Schema):
    key: str
    reason: str


class DrawOut(Schema):
    id: uuid.UUID
    purpose: str
    subject_type: str
    subject_id: str
    rule_source: str
    drawn_at: dt.datetime
    pool: list[PoolMemberOut]
    exclusions: list[ExclusionOut]
    seed: str
    count: int
    result: list[str]
    algorithm: str
    recomputed: list[str]
    verified: bool

    @staticmethod
    def resolve_id(obj: Draw) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_algorithm(obj: Draw) -> str:
        return ALGORITHM

    @staticmethod
    def resolve_recomputed(obj: Draw) -> list[str]:
        return draw_recompute(obj)

    @staticmethod
    def resolve_verified(obj: Draw) -> bool:
        return draw_recompute(obj) == obj.result


@draws_router.get("/{uuid:public_id}", response=DrawOut, auth=None)
def get_draw(request: HttpRequest, public_id: uuid.UUID) -> Draw:
    """随机抽取记录（公开，无需登录）：候选池、回避排除及理由、随机种子、结果，并现场重算核验。"""
    try:
        return Draw.objects.get(public_id=public_id)
    except Draw.DoesNotExist as exc:
        raise Http404("未找到该抽取记录") from exc


# --- expert pool ---------------------------------------------------------------------------


class ExpertOut(Schema):
    id: uuid.UUID
    name: str
    employer: str
    employer_credit_code: str
    specialties: list[str]
    region_code: str
    authority: str
    active: bool
    username: str | None

    @staticmethod
    def resolve_id(obj: Expert) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_authority(obj: Expert) -> str:
        return obj.authority.name

    @staticmethod
    def resolve_username(obj: Expert) -> str | None:
        return obj.user.username if obj.user else None


class ExpertIn(Schema):
    name: str
    employer: str
    employer_credit_code: str = ""
    specialties: list[str] = []
    region_code: str
    username: str | None = None


class ConflictIn(Schema):
    institution_id: uuid.UUID
    reason: str


class ConflictOut(Schema):
    expert: str
    institution: str
    reason: str
    declared_at: dt.datetime


@router.get("/experts", response=list[ExpertOut])
def list_experts(request: HttpRequest) -> list[Expert]:
    """本部门专家库。"""
    return list(selectors.pool_of(request.user).order_by("-active", "name")[:1000])


@router.post("/experts", response={201: ExpertOut})
def add_expert(request: HttpRequest, body: ExpertIn) -> Status[Expert]:
    """向本部门专家库新增专家（username：关联的“评估专家”登录账号，可选）。"""
    user = None
    if body.username:
        user = User.objects.filter(username=body.username).first()
        if user is None:
            raise InvalidInput(f"没有用户名为“{body.username}”的账号", field="username")
    expert = services.expert_add(
        actor=request.user, name=body.name, employer=body.employer,  # type: ignore[arg-type]
        employer_credit_code=body.employer_credit_code, specialties=body.specialties,
        region_code=body.region_code, user=user, at=clock.now())
    return Status(201, expert)


@router.post("/experts/{uuid:expert_id}/deactivate", response=ExpertOut)
def deactivate_expert(request: HttpRequest, expert_id: uuid.UUID) -> Expert:
    expert = selectors.expert_for(request.user, expert_id)
    return services.expert_deactivate(actor=request.user, expert=expert, at=clock.now())  # type: ignore[arg-type]


@router.post("/experts/{uuid:expert_id}/conflicts", response={201: ConflictOut})
def declare_conflict(request: HttpRequest, expert_id: uuid.UUID, body: ConflictIn) -> Status[dict[str, Any]]:
    """申报专家与某机构的利害关系（此后抽取时回避）。"""
    expert = selectors.expert_for(request.user, expert_id)
    try:
        institution = Institution.objects.get(public_id=body.institution_id)
    except Institution.DoesNotExist as exc:
        raise Http404 from exc
    conflict = services.conflict_declare(actor=request.user, expert=expert, institution=institution,  # type: ignore[arg-type]
                                         reason=body.reason, at=clock.now())
    return Status(201, {"expert": expert.name, "institution": institution.name, "reason": conflict.reason,
                        "declared_at": conflict.declared_at})


# --- plan, panel, conclusion (officials) ---------------------------------------------------


class PlanIn(Schema):
    evaluation_date: dt.date
    content: str


class PlanOut(Schema):
    evaluation_date: dt.date
    content: str
    filed_at: dt.datetime
    source: str | None


class ScoreItemOut(Schema):
    method: str
    score: int | None
    passed: bool | None
    notes: str


class ScoreOut(Schema):
    items: list[ScoreItemOut]
    passed: bool
    opinion: str
    submitted_at: dt.datetime
    photos: list[str]


class MemberOut(Schema):
    id: uuid.UUID
    expert: str
    expert_id: uuid.UUID
    status: str
    status_label: str
    draw_id: uuid.UUID
    decline_reason: str
    score: ScoreOut | None


class PanelOut(Schema):
    id: uuid.UUID
    application_id: uuid.UUID
    size: int
    draw_id: uuid.UUID
    draws: list[uuid.UUID]
    created_at: dt.datetime
    concluded_at: dt.datetime | None
    passed: bool | None
    summary: str
    members: list[MemberOut]


class DrawPanelIn(Schema):
    size: int = Field(..., ge=1, description="专家组人数（文件未规定，由经办人员确定）")


class DeclineIn(Schema):
    reason: str


class ConcludeIn(Schema):
    passed: bool
    summary: str


def _score_out(member: PanelMember) -> dict[str, Any] | None:
    score = getattr(member, "score", None)
    if score is None:
        return None
    return {"items": score.items, "passed": score.passed, "opinion": score.opinion,
            "submitted_at": score.submitted_at, "photos": [p.file.sha256 for p in score.photos.all()]}


def _member_out(member: PanelMember, *, with_score: bool) -> dict[str, Any]:
    return {"id": member.public_id, "expert": member.expert.label, "expert_id": member.expert.public_id,
            "status": member.status, "status_label": member.get_status_display(),
            "draw_id": member.draw.public_id, "decline_reason": member.decline_reason,
            "score": _score_out(member) if with_score else None}


def _panel_out(panel: Panel) -> dict[str, Any]:
    return {"id": panel.public_id, "application_id": panel.application.public_id, "size": panel.size,
            "draw_id": panel.draw.public_id, "draws": [d.public_id for d in selectors.draws_of(panel)],
            "created_at": panel.created_at, "concluded_at": panel.concluded_at, "passed": panel.passed,
            "summary": panel.summary,
            "members": [_member_out(m, with_score=True) for m in selectors.panel_members(panel)]}


def _open_panel(application: Any) -> Panel:
    panel = selectors.current_panel(application)
    if panel is None:
        raise DomainError("尚未抽取专家组", code="no_panel")
    return panel


@router.post("/applications/{uuid:public_id}/plan", response=PlanOut)
def file_plan(request: HttpRequest, public_id: uuid.UUID, body: PlanIn) -> dict[str, Any]:
    """报备评估方案（gs-2022-special：评估前 10 个工作日，004 五(二)）。"""
    application = selectors.official_application(request.user, public_id)
    plan = services.evaluation_plan_file(actor=request.user, application=application,  # type: ignore[arg-type]
                                         evaluation_date=body.evaluation_date, content=body.content, at=clock.now())
    return _plan_out(plan)


def _plan_out(plan: EvaluationPlan) -> dict[str, Any]:
    return {"evaluation_date": plan.evaluation_date, "content": plan.content, "filed_at": plan.filed_at,
            "source": get_pack(plan.application.pack_id).clocks.evaluation_plan.source}


@router.get("/applications/{uuid:public_id}/panel", response=PanelOut)
def get_panel(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """专家组、成员状态和各专家评分（经办人员）。"""
    application = selectors.official_application(request.user, public_id)
    panel = selectors.current_panel(application)
    if panel is None:
        raise Http404("尚未抽取专家组")
    return _panel_out(panel)


@router.post("/applications/{uuid:public_id}/panel", response={201: PanelOut})
def draw_panel(request: HttpRequest, public_id: uuid.UUID, body: DrawPanelIn) -> Status[dict[str, Any]]:
    """从专家库随机抽取专家组（回避同单位、已申报利害关系、曾参加该单位评估的专家），并开始评估。"""
    application = selectors.official_application(request.user, public_id)
    panel = services.panel_draw(actor=request.user, application=application, size=body.size,  # type: ignore[arg-type]
                                at=clock.now())
    return Status(201, _panel_out(panel))


@router.post("/applications/{uuid:public_id}/panel/members/{uuid:member_id}/decline", response=PanelOut)
def decline_for_member(request: HttpRequest, public_id: uuid.UUID, member_id: uuid.UUID,
                       body: DeclineIn) -> dict[str, Any]:
    """经办人员代专家登记谢绝。"""
    application = selectors.official_application(request.user, public_id)
    panel = _open_panel(application)
    member = selectors.member_on(panel, member_id)
    services.panel_member_decline(actor=request.user, member=member, reason=body.reason, at=clock.now())  # type: ignore[arg-type]
    return _panel_out(panel)


@router.post("/applications/{uuid:public_id}/panel/replace", response={201: DrawOut})
def replace_declined(request: HttpRequest, public_id: uuid.UUID) -> Status[Draw]:
    """为谢绝的专家补抽（新的抽取记录，排除已在组内和已谢绝的专家）。"""
    application = selectors.official_application(request.user, public_id)
    record = services.panel_replace(actor=request.user, panel=_open_panel(application),  # type: ignore[arg-type]
                                    at=clock.now())
    return Status(201, record)


@router.post("/applications/{uuid:public_id}/panel/conclude", response=PanelOut)
def conclude(request: HttpRequest, public_id: uuid.UUID, body: ConcludeIn) -> dict[str, Any]:
    """记录专家组评估结论（须全部在组专家提交评分后）。"""
    application = selectors.official_application(request.user, public_id)
    panel = services.panel_conclude(actor=request.user, panel=_open_panel(application),  # type: ignore[arg-type]
                                    passed=body.passed, summary=body.summary, at=clock.now())
    return _panel_out(panel)


# --- the expert's own side -----------------------------------------------------------------


class AssignmentOut(Schema):
    application_id: uuid.UUID
    institution: str
    pack_id: str
    methods: list[str]
    status: str
    status_label: str
    evaluation_date: dt.date | None
    score: ScoreOut | None


class ScoreItemIn(Schema):
    method: str
    score: int | None = Field(None, ge=0, le=100)
    passed: bool | None = None
    notes: str = ""


class ScoreIn(Schema):
    items: list[ScoreItemIn]
    passed: bool
    opinion: str = ""


def _assignment_out(member: PanelMember) -> dict[str, Any]:
    application = member.panel.application
    plan = EvaluationPlan.objects.filter(application=application).first()
    return {"application_id": application.public_id, "institution": application.institution.name,
            "pack_id": application.pack_id, "methods": list(get_pack(application.pack_id).evaluation.methods.items),
            "status": member.status, "status_label": member.get_status_display(),
            "evaluation_date": plan.evaluation_date if plan else None, "score": _score_out(member)}


@router.get("/assignments", response=list[AssignmentOut])
def my_assignments(request: HttpRequest) -> list[dict[str, Any]]:
    """评估专家：本人被抽中的评估任务。"""
    return [_assignment_out(m) for m in selectors.assignments_for(request.user)]


@router.get("/assignments/{uuid:public_id}", response=AssignmentOut)
def my_assignment(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _assignment_out(selectors.membership_for(request.user, public_id))


@router.post("/assignments/{uuid:public_id}/score", response={201: AssignmentOut})
def submit_score(request: HttpRequest, public_id: uuid.UUID, body: ScoreIn) -> Status[dict[str, Any]]:
    """评估专家提交本人评分（按政策的评估方式逐项打分或判定合格，附总体意见；提交后不能修改）。"""
    member = selectors.membership_for(request.user, public_id)
    services.score_submit(actor=request.user, member=member, items=[i.dict() for i in body.items],  # type: ignore[arg-type]
                          passed=body.passed, opinion=body.opinion, at=clock.now())
    return Status(201, _assignment_out(selectors.membership_for(request.user, public_id)))


@router.post("/assignments/{uuid:public_id}/decline", response=AssignmentOut)
def decline(request: HttpRequest, public_id: uuid.UUID, body: DeclineIn) -> dict[str, Any]:
    """评估专家谢绝参加本次评估。"""
    member = selectors.membership_for(request.user, public_id)
    services.panel_member_decline(actor=request.user, member=member, reason=body.reason, at=clock.now())  # type: ignore[arg-type]
    return _assignment_out(selectors.membership_for(request.user, public_id))
