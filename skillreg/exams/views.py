"""Pages: parse, fetch through a scoped selector (404), call the same service as the API, render."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import Role
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams import selectors as sel
from skillreg.exams.models import ExamPlan, Relation, Venue
from skillreg.exams.services import dispatch, imports, plans, registrations, scoring
from skillreg.exams.services.registrations import COLUMNS, CandidateRow, entry_window, missing_materials
from skillreg.exams.xlsx import XLSX_CONTENT_TYPE, results_export_bytes, roster_export_bytes, template_bytes
from skillreg.files.services import file_store
from skillreg.registry.models import InstitutionScope


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", field=field) from exc


def _decimal(value: str, field: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise InvalidInput("请填写数字", field=field) from exc


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The exam plans the logged-in user may see; the centre also sees what awaits its decision."""
    user: Any = request.user
    context: dict[str, Any] = {"plans": sel.plan_list(user)[:300]}
    if user.role in (Role.CENTRE_STAFF, Role.SYSADMIN):
        context["worklist"] = sel.centre_worklist(user)
    if user.role == Role.INSTITUTION_USER:
        context["venues"] = sel.venues_visible_to(user)
    return render(request, "exams/index.html", context)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER:
        return redirect("exams:index")
    scopes = InstitutionScope.objects.filter(institution=user.institution)
    venues = sel.venues_visible_to(user).filter(status=Venue.Status.APPROVED)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            scope = scopes.filter(pk=int(p.get("scope") or 0)).first()
            if scope is None:
                raise InvalidInput("请选择备案范围内的职业（工种）或项目", field="scope")
            venue = sel.venue_for(user, p.get("venue", ""))
            plan = plans.plan_create(
                actor=user, institution=user.institution, scope=scope, venue=venue, title=p.get("title", ""),
                registration_opens=_date(p.get("registration_opens", ""), "registration_opens"),
                registration_closes=_date(p.get("registration_closes", ""), "registration_closes"),
                exam_start=_date(p.get("exam_start", ""), "exam_start"),
                exam_end=_date(p.get("exam_end", ""), "exam_end"),
                fee=_decimal(p.get("fee", ""), "fee"), fee_basis=p.get("fee_basis", ""),
                pass_mark=_decimal(p.get("pass_mark") or "60", "pass_mark"), at=clock.now())
            return redirect("exams:plan", public_id=plan.public_id)
        except DomainError as exc:
            error = exc
    return render(request, "exams/plan_new.html", {"scopes": scopes, "venues": venues, "error": error,
                                                   "form": request.POST}, status=422 if error else 200)


@login_required
def plan_detail(request: HttpRequest, public_id: uuid.UUID, *, error: DomainError | None = None,
                form: Any = None) -> HttpResponse:
    user: Any = request.user
    plan = sel.plan_for(user, public_id)
    regs = list(sel.registrations_of(plan)[:2000])
    context = {
        "plan": plan, "registrations": regs, "window": entry_window(plan),
        "due": plans.exam_application_due(plan)[0], "missing": missing_materials(plan),
        "reviews": plan.roster_reviews.all(), "applications": plan.exam_applications.all(),
        "assignments": plan.assignments.select_related("assessor", "draw"),
        "supervisors": plan.supervisors.select_related("draw"),
        "imports": plan.roster_imports.all()[:10] if user.institution_id == plan.institution_id else [],
        "sheets": scoring.sheets_visible_to(user, plan),
        "is_institution": user.institution_id == plan.institution_id,
        "is_centre": user.role in (Role.CENTRE_STAFF, Role.SYSADMIN),
        "is_assessor": plan.assignments.filter(assessor__user=user).exists(),
        "relations": Relation.choices, "columns": COLUMNS, "error": error, "form": form or {},
    }
    return render(request, "exams/plan_detail.html", context, status=422 if error else 200)


def _register(request: HttpRequest, plan: ExamPlan) -> str:
    p = request.POST
    reg = registrations.registration_create(actor=request.user, plan=plan, at=clock.now(), row=CandidateRow(
        name=p.get("name", ""), id_number=p.get("id_number", ""), education=p.get("education", ""),
        work_unit=p.get("work_unit", ""), relation=p.get("relation", "none"), phone=p.get("phone", "")))
    return f"已录入考生 {reg.name}（{reg.masked_id}）"


def _publish(request: HttpRequest, plan: ExamPlan) -> str:
    plans.plan_publish(actor=request.user, plan=plan, at=clock.now())
    return "考核计划已发布"


def _roster(request: HttpRequest, plan: ExamPlan) -> str:
    upload = request.FILES.get("quality_letter")
    if upload is None:
        raise InvalidInput("请上传加盖公章的报名质量责任书", field="quality_letter")
    now = clock.now()
    with transaction.atomic():
        letter = file_store(actor=request.user, upload=upload, at=now, field="quality_letter")
        registrations.roster_submit(actor=request.user, plan=plan, quality_letter=letter, at=now)
    return "名册和报名质量责任书已报送鉴定中心复审"


def _roster_decide(request: HttpRequest, plan: ExamPlan) -> str:
    review = sel.roster_review_for(request.user, int(request.POST.get("review") or 0))
    approve = request.POST.get("approve") == "1"
    registrations.roster_decide(actor=request.user, review=review, approve=approve,
                                reason=request.POST.get("reason", ""), at=clock.now())
    return "名册已核准" if approve else "名册已退回"


def _application(request: HttpRequest, plan: ExamPlan) -> str:
    upload = request.FILES.get("emergency_plan")
    if upload is None:
        raise InvalidInput("请上传应急预案", field="emergency_plan")
    now = clock.now()
    try:
        papers = int(request.POST.get("papers_requested") or 0)
    except ValueError as exc:
        raise InvalidInput("试卷份数应为整数", field="papers_requested") from exc
    with transaction.atomic():
        stored = file_store(actor=request.user, upload=upload, at=now, field="emergency_plan")
        plans.exam_application_submit(actor=request.user, plan=plan, scheme=request.POST.get("scheme", ""),
                                      emergency_plan=stored, papers_requested=papers, at=now)
    return "考核申请已报送"


def _application_decide(request: HttpRequest, plan: ExamPlan) -> str:
    approve = request.POST.get("approve") == "1"
    plans.exam_application_decide(actor=request.user, plan=plan, approve=approve,
                                  reason=request.POST.get("reason", ""), at=clock.now())
    return "考核申请已核准" if approve else "考核申请已退回"


def _count(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("count") or 0)
    except ValueError as exc:
        raise InvalidInput("人数应为整数", field="count") from exc


def _dispatch(request: HttpRequest, plan: ExamPlan) -> str:
    made = dispatch.assessors_dispatch(actor=request.user, plan=plan, count=_count(request), at=clock.now())
    return f"已随机选派考评员 {len(made)} 名"


def _supervisors(request: HttpRequest, plan: ExamPlan) -> str:
    made = dispatch.supervisors_draw(actor=request.user, plan=plan, count=_count(request), at=clock.now())
    return f"已随机委派质量督导员 {len(made)} 名"


def _scores(request: HttpRequest, plan: ExamPlan) -> str:
    values: dict[Any, Decimal | None] = {}
    for reg in sel.registrations_of(plan):
        raw = request.POST.get(f"score-{reg.public_id}", "").strip()
        values[reg.public_id] = None if raw in ("", "缺考") else _decimal(raw, "scores")
    scoring.scores_enter(actor=request.user, plan=plan, scores=values, at=clock.now())
    if request.POST.get("sign"):
        scoring.score_sheet_submit(actor=request.user, plan=plan, signature_name=request.POST.get("signature", ""),
                                   at=clock.now())
        return "评分已签名提交，已锁定"
    return "评分已保存（未签名）"


def _results(request: HttpRequest, plan: ExamPlan) -> str:
    scoring.results_submit(actor=request.user, plan=plan, at=clock.now())
    return "考核结果已报鉴定中心审核"


def _results_decide(request: HttpRequest, plan: ExamPlan) -> str:
    approve = request.POST.get("approve") == "1"
    scoring.results_decide(actor=request.user, plan=plan, approve=approve, reason=request.POST.get("reason", ""),
                           at=clock.now())
    return "考核结果已核准" if approve else "考核结果已退回"


ACTIONS: dict[str, Callable[[HttpRequest, ExamPlan], str]] = {
    "publish": _publish, "register": _register, "roster": _roster, "roster-decide": _roster_decide,
    "application": _application, "application-decide": _application_decide, "dispatch": _dispatch,
    "supervisors": _supervisors, "scores": _scores, "results": _results, "results-decide": _results_decide,
}


@login_required
@require_POST
def plan_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    plan = sel.plan_for(request.user, public_id)
    if handler is None:
        return plan_detail(request, public_id, error=InvalidInput("未知操作"))
    try:
        messages.success(request, handler(request, plan))
    except DomainError as exc:
        return plan_detail(request, public_id, error=exc, form=request.POST)
    return redirect("exams:plan", public_id=plan.public_id)


# --- roster import ------------------------------------------------------------------------


def roster_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(template_bytes(), "roster-template.xlsx")


@login_required
@require_POST
def import_start(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = sel.plan_for(request.user, public_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("请选择 .xlsx 名册文件", field="file")
        imp = imports.roster_import_start(actor=request.user, plan=plan, upload=upload, at=clock.now())
    except DomainError as exc:
        return plan_detail(request, public_id, error=exc)
    return redirect("exams:import", public_id=imp.public_id)


@login_required
def import_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    imp = sel.roster_import_for(request.user, public_id)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": imp.status, "label": imp.get_status_display(), "percent": imp.percent,
                             "processed": imp.processed_rows, "total": imp.total_rows})
    return render(request, "exams/import.html", {"imp": imp, "errors": imp.errors[:5000]})


@login_required
@require_POST
def import_decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    imp = sel.roster_import_for(request.user, public_id)
    try:
        if request.POST.get("accept") == "1":
            imp = imports.roster_import_accept(actor=request.user, imp=imp, at=clock.now())
        else:
            imp = imports.roster_import_discard(actor=request.user, imp=imp, at=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("exams:import", public_id=imp.public_id)


@login_required
def roster_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = sel.plan_for(request.user, public_id)
    return _xlsx(roster_export_bytes(plan, sel.registrations_of(plan)), "roster.xlsx")


@login_required
def results_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = sel.plan_for(request.user, public_id)
    return _xlsx(results_export_bytes(plan, sel.registrations_of(plan)), "results.xlsx")
