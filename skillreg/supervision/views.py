"""Pages for officials and inspectors: the dashboard, plans, inspections, the supervision
file, violations, rectifications, proposals, complaints.

Thin: parse, fetch through a scoped selector (404 outside the jurisdiction), call the
service the API calls, render. A refusal becomes a message with its clause.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import Role, User
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution
from skillreg.supervision import charts, decisions, selectors, yearend
from skillreg.supervision.models import (
    AnnualReport,
    Complaint,
    Evaluation,
    InspectionFinding,
    InspectionPlan,
    Rectification,
)
from skillreg.supervision.models.inspections import INSPECTION_ITEMS, INSPECTION_ITEMS_SOURCE
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services import complaints as complaint_services
from skillreg.supervision.services import grading, inactivity, inspections, reports, sanctions, violations
from skillreg.supervision.services.common import is_official


def _refusal(exc: DomainError) -> str:
    return exc.message + (f"（依据：{exc.source}）" if exc.source else "")


def _run(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    try:
        action()
    except DomainError as exc:
        messages.error(request, _refusal(exc))
        return False
    messages.success(request, done)
    return True


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _require_official(request: HttpRequest) -> None:
    if not is_official(request.user):
        raise Http404


# --- dashboard -------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The authority's supervision dashboard; an inspector sees their own inspections."""
    user: Any = request.user
    if user.role == Role.INSTITUTION_USER:
        return redirect("supervision:annual_reports")
    if not is_official(user):
        return render(request, "supervision/my_inspections.html",
                      {"inspections": selectors.inspections_visible_to(user).order_by("-plan__created_at")})
    today = clock.today()
    board = selectors.dashboard(user, today)
    return render(request, "supervision/index.html", {
        "board": board,
        "complaints_chart": charts.bar_chart(board.complaints_by_status, title="投诉举报（按状态）"),
        "inspections_chart": charts.bar_chart([(f"{m}月", n) for m, n in board.inspections_by_month],
                                              title=f"{today.year} 年检查（按出结论月份）", colour="#2f855a"),
    })


# --- inspection plans ---------------------------------------------------------------------------


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    _require_official(request)
    user: Any = request.user
    if request.method == "POST":
        post = request.POST
        authority = user.authority
        if authority is None:
            messages.error(request, "系统管理员请以备案部门账号制定计划")
        else:
            share = post.get("mode") == "percent"
            holder: dict[str, InspectionPlan] = {}

            def create() -> None:
                holder["plan"] = inspections.plan_create(
                    actor=user, authority=authority, title=post.get("title", ""),
                    year=_int(post.get("year")) or clock.today().year, items=post.getlist("items"),
                    draw_count=None if share else _int(post.get("amount")),
                    draw_percent=_int(post.get("amount")) if share else None,
                    inspectors_per_body=_int(post.get("inspectors_per_body")) or 2,
                    pack_filter=post.get("pack_filter", ""), region_filter=post.get("region_filter", "").strip(),
                    at=clock.now())
            if _run(request, create, "检查计划已创建"):
                return redirect("supervision:plan", public_id=holder["plan"].public_id)
    return render(request, "supervision/plans.html", {
        "plans": selectors.plans_visible_to(user), "items": INSPECTION_ITEMS, "items_source": INSPECTION_ITEMS_SOURCE,
        "year": clock.today().year, "post": request.POST,
    })


@login_required
def plan_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    plan = selectors.plan_for(request.user, public_id)
    return render(request, "supervision/plan.html", {
        "plan": plan,
        "inspections": plan.inspections.select_related("institution", "inspector_draw").prefetch_related("inspectors"),
        "conflicts": plan.conflicts.select_related("inspector", "institution"),
        "body_pool": inspections.body_pool(plan), "inspector_pool": inspections.inspector_pool(plan),
        "publish_basis": inspections.publish_rule()[1],
    })


@login_required
@require_POST
def plan_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    _require_official(request)
    plan = selectors.plan_for(request.user, public_id)
    actor: Any = request.user
    now = clock.now()
    if action == "draw-bodies":
        _run(request, lambda: inspections.plan_draw_bodies(actor=actor, plan=plan, at=now), "已随机抽取检查对象")
    elif action == "draw-inspectors":
        _run(request, lambda: inspections.plan_draw_inspectors(actor=actor, plan=plan, at=now), "已随机抽取检查人员")
    elif action == "publish":
        _run(request, lambda: inspections.plan_publish(actor=actor, plan=plan, at=now), "检查结果已公开")
    elif action == "conflict":
        inspector = User.objects.filter(pk=_int(request.POST.get("inspector")) or 0).first()
        institution = inspections.body_pool(plan).filter(public_id=request.POST.get("institution") or None).first() \
            if _is_uuid(request.POST.get("institution")) else None
        if inspector is None or institution is None:
            messages.error(request, "请选择检查人员和机构")
        else:
            _run(request, lambda: inspections.conflict_declare(
                actor=actor, plan=plan, inspector=inspector, institution=institution,
                reason=request.POST.get("reason", ""), at=now), "回避已登记")
    else:
        raise Http404
    return redirect("supervision:plan", public_id=plan.public_id)


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- one inspection ---------------------------------------------------------------------------


@login_required
def inspection_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    inspection = selectors.inspection_for(request.user, public_id)
    actor: Any = request.user
    if request.method == "POST":
        now = clock.now()
        if request.POST.get("action") == "conclude":
            _run(request, lambda: inspections.inspection_conclude(
                actor=actor, inspection=inspection, result=request.POST.get("result", ""),
                conclusion=request.POST.get("conclusion", ""), at=now), "检查结论已记录")
        else:
            _run(request, lambda: inspections.finding_record(
                actor=actor, inspection=inspection, item=request.POST.get("item", ""),
                outcome=request.POST.get("outcome", ""), note=request.POST.get("note", ""),
                evidence=request.FILES.getlist("evidence"), at=now), "检查情况已记录")
        return redirect("supervision:inspection", public_id=inspection.public_id)
    findings = {f.item: f for f in inspection.findings.prefetch_related("evidence")}
    rows = [(key, INSPECTION_ITEMS.get(key, key), findings.get(key)) for key in inspection.plan.items]
    return render(request, "supervision/inspection.html", {
        "inspection": inspection, "rows": rows, "outcomes": InspectionFinding.Outcome.choices,
        "results": inspection.Result.choices,
        "is_inspector": inspection.inspectors.filter(pk=actor.pk).exists(),
        "publish_basis": inspections.publish_rule(inspection.institution.pack_id)[1],
        "inspectors": inspection.inspectors.all(),
    })


@login_required
def evidence(request: HttpRequest, public_id: uuid.UUID, file_id: uuid.UUID) -> HttpResponse:
    from skillreg.files.views import serve_stored_file

    inspection = selectors.inspection_for(request.user, public_id)
    for finding in inspection.findings.all():
        stored = finding.evidence.filter(public_id=file_id).first()
        if stored is not None:
            return serve_stored_file(request, stored)
    raise Http404


# --- the supervision file of one institution -----------------------------------------------------


@login_required
def institution_file(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    institution = selectors.institution_for(request.user, public_id)
    actor: Any = request.user
    pack = get_pack(institution.pack_id)
    if request.method == "POST":
        now = clock.now()
        post = request.POST
        if post.get("action") == "evaluate":
            rect = selectors.rectifications_visible_to(actor).filter(
                public_id=post.get("rectification")).first() if _is_uuid(post.get("rectification")) else None
            _run(request, lambda: grading.evaluation_record(
                actor=actor, institution=institution, kind=post.get("kind", ""),
                proposed_grade=post.get("grade", ""), direct_fail=post.getlist("direct_fail"),
                notes=post.get("notes", ""), rectification=rect, at=now), "评估结论已记录")
        elif post.get("action") == "violation":
            complaint = selectors.complaints_visible_to(actor).filter(
                public_id=post.get("complaint")).first() if _is_uuid(post.get("complaint")) else None
            catalogue_key, _, item_key = post.get("item", "").partition(":")
            _run(request, lambda: violations.violation_record(
                actor=actor, institution=institution, catalogue_key=catalogue_key, item_key=item_key,
                facts=post.get("facts", ""), found_via=post.get("found_via", ""), complaint=complaint,
                evidence=request.FILES.getlist("evidence"), at=now), "违规记录已登记")
        return redirect("supervision:institution_file", public_id=institution.public_id)
    return render(request, "supervision/institution_file.html", {
        "file": selectors.supervision_file(institution), "pack": pack,
        "kinds": Evaluation.Kind.choices, "found_via": FoundVia.choices,
        "complaint_id": request.GET.get("complaint", ""),
        "open_rects": [r for r in institution.rectifications.all() if r.status == Rectification.Status.OPEN],
        "today": clock.today(),
    })


# --- violations, rectifications, proposals ------------------------------------------------------


@login_required
def violation_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    record = selectors.violation_for(request.user, public_id)
    actor: Any = request.user
    cat = violations.catalogue(record.pack_id, record.catalogue_key)
    if request.method == "POST":
        _run(request, lambda: violations.violation_decide(
            actor=actor, violation=record, steps=request.POST.getlist("steps"), note=request.POST.get("note", ""),
            deadline=_date(request.POST.get("deadline")), suspended_scope=request.POST.get("suspended_scope", ""),
            at=clock.now()), "处理决定已作出")
        return redirect("supervision:violation", public_id=record.public_id)
    return render(request, "supervision/violation.html", {
        "record": record, "cat": cat, "steps": [(s, violations.classify_step(s).label) for s in cat.steps],
        "evidence": record.evidence.all(),
    })


@login_required
@require_POST
def rectification_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    rect = selectors.rectification_for(request.user, public_id)
    actor: Any = request.user
    _run(request, lambda: grading.rectification_close(
        actor=actor, rectification=rect, passed=request.POST.get("passed") == "1",
        note=request.POST.get("note", ""), at=clock.now()), "整改已办结")
    return redirect("supervision:institution_file", public_id=rect.institution.public_id)


@login_required
def proposal_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    proposal = selectors.proposal_for(request.user, public_id)
    actor: Any = request.user
    if request.method == "POST":
        _run(request, lambda: sanctions.proposal_decide(
            actor=actor, proposal=proposal, approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""), at=clock.now()), "审批决定已作出")
        return redirect("supervision:proposal", public_id=proposal.public_id)
    return render(request, "supervision/proposal.html", {
        "proposal": proposal, "can_decide": actor.role in (Role.APPROVING_OFFICIAL, Role.SYSADMIN),
    })


@login_required
@require_POST
def inactivity_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_official(request)
    flag = selectors.inactivity_flags_visible_to(request.user).filter(pk=pk).first()
    if flag is None:
        raise Http404
    actor: Any = request.user
    _run(request, lambda: inactivity.inactivity_decide(
        actor=actor, flag=flag, act=request.POST.get("act") == "1", note=request.POST.get("note", ""),
        at=clock.now()), "已处理")
    return redirect("supervision:index")


# --- complaints (the authority's side) ---------------------------------------------------------


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    _require_official(request)
    qs = selectors.complaints_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Complaint.Status.values:
        qs = qs.filter(status=status)
    today = clock.today()
    rows = [(c, complaint_services.is_overdue(c, today)) for c in qs[:500]]
    return render(request, "supervision/complaints.html",
                  {"rows": rows, "statuses": Complaint.Status.choices, "status": status})


@login_required
def complaint_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_official(request)
    complaint = selectors.complaint_for(request.user, public_id)
    actor: Any = request.user
    if request.method == "POST":
        now = clock.now()
        if request.POST.get("action") == "verify":
            _run(request, lambda: complaint_services.complaint_start_verifying(
                actor=actor, complaint=complaint, at=now), "已转入核实")
        else:
            _run(request, lambda: complaint_services.complaint_answer(
                actor=actor, complaint=complaint, finding=request.POST.get("finding", ""),
                answer=request.POST.get("answer", ""), at=now), "已答复")
        return redirect("supervision:complaint", public_id=complaint.public_id)
    return render(request, "supervision/complaint.html", {
        "complaint": complaint, "findings": Complaint.Finding.choices,
        "overdue": complaint_services.is_overdue(complaint, clock.today()),
    })


# --- annual work plans and summaries (002 第五条(五)); the city's year-end summary (003 六) ------


@login_required
def annual_reports(request: HttpRequest) -> HttpResponse:
    """Institution staff submit; officials see who has and who has not, and export 003 六."""
    user: Any = request.user
    today = clock.today()
    if user.role == Role.INSTITUTION_USER and user.institution_id:
        institution = user.institution
        post = request.POST if request.method == "POST" else None
        if post is not None:
            def submit() -> None:
                reports.annual_report_submit(
                    actor=user, kind=post.get("kind", ""), year=_int(post.get("year")) or 0,
                    content=post.get("content", ""), attachments=request.FILES.getlist("attachments"),
                    at=clock.now())
            if _run(request, submit, "已报送"):
                return redirect("supervision:annual_reports")
        rule = reports.rule_for(institution.pack_id)
        return render(request, "supervision/reports_mine.html", {
            "institution": institution, "rule": rule, "kinds": AnnualReport.Kind.choices,
            "years": [today.year + 1, today.year, today.year - 1],
            "states": [(y, reports.states_for(institution, y)) for y in (today.year, today.year - 1)] if rule else [],
            "submitted": selectors.annual_reports_visible_to(user).order_by("-year", "kind"),
            "post": post or {}, "today": today, "max_attachments": reports.MAX_ATTACHMENTS,
        })
    _require_official(request)
    year = _int(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year + 1:  # a year typed into the address: show this year's
        year = today.year
    overview = selectors.annual_report_overview(user, year)
    missing = sum(1 for _, states in overview for s in states if s.overdue(today))
    return render(request, "supervision/reports.html", {
        "year": year, "years": list(range(today.year, today.year - 4, -1)), "overview": overview,
        "missing": missing, "today": today, "cities": yearend.cities_for(user),
        "basis": yearend.BASIS, "basis_text": yearend.BASIS_TEXT,
    })


@login_required
def annual_report_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = selectors.annual_report_for(request.user, public_id)
    return render(request, "supervision/report.html", {"report": report, "attachments": report.attachments.all()})


@login_required
def annual_report_file(request: HttpRequest, public_id: uuid.UUID, file_id: uuid.UUID) -> HttpResponse:
    from skillreg.files.views import serve_stored_file

    report = selectors.annual_report_for(request.user, public_id)
    stored = report.attachments.filter(public_id=file_id).first()
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored)


@login_required
def year_end_xlsx(request: HttpRequest) -> HttpResponse:
    """003 六: the city's year-end summary of its filed bodies, as XLSX (city/province officials)."""
    _require_official(request)
    user: Any = request.user
    year = _int(request.GET.get("year"))
    if year is None or not 2000 <= year <= clock.today().year:
        messages.error(request, "请选择年度")
        return redirect("supervision:annual_reports")
    city = yearend.city_for(user, request.GET.get("city", ""))
    summary = yearend.year_end_summary(city, year)
    response = HttpResponse(yearend.to_xlsx(summary), content_type=yearend.XLSX)
    response["Content-Disposition"] = decisions.disposition(yearend.filename(summary))
    response["Cache-Control"] = "private, no-store"
    return response


# --- decision documents -------------------------------------------------------------------------


@login_required
def decision_document(request: HttpRequest, kind: str, public_id: uuid.UUID, fmt: str) -> HttpResponse:
    """处理决定书 / 限期整改通知书 / 终止（取消）备案决定书 as PDF or DOCX."""
    obj = selectors.decision_subject(request.user, kind, public_id)
    try:
        content, content_type, name = decisions.render(kind, obj, fmt)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = decisions.disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


def institutions_lookup(user: Any) -> list[Institution]:
    return list(selectors.institutions_visible_to(user).filter(status=Institution.Status.FILED))
