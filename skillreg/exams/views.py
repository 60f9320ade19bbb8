"""Pages: parse, fetch through a scoped selector (404), call the same service as the API, render."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import OFFICIAL_ROLES, Role, User
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams import selectors as sel
from skillreg.exams.forms import (
    AssessorEditForm,
    AssessorForm,
    CertificateForm,
    OffSiteVenueForm,
    ReasonForm,
    TrainingImportForm,
    TrainingRosterForm,
    VenueDecisionForm,
)
from skillreg.exams.models import ExamPlan, Relation, RosterReview, Venue
from skillreg.exams.services import assessors, dispatch, imports, plans, registrations, scoring
from skillreg.exams.services.registrations import COLUMNS, CandidateRow, RowError, entry_window, missing_materials
from skillreg.exams.xlsx import (
    XLSX_CONTENT_TYPE,
    RosterFileError,
    results_export_bytes,
    roster_export_bytes,
    template_bytes,
    trainee_rows,
    trainee_template_bytes,
)
from skillreg.files.models import StoredFile
from skillreg.files.services import file_open, file_store
from skillreg.files.sniff import FileKind
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution, InstitutionScope


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", field=field) from exc


def _decimal(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise InvalidInput("请填写数字", field=field) from exc
    if not number.is_finite():  # NaN and Infinity parse, but compare with nothing
        raise InvalidInput("请填写数字", field=field)
    return number


def _pk(value: str | None, field: str) -> int:
    """A row id posted by a form; anything but digits is the form's fault, not a server error."""
    text = (value or "0").strip()
    if not text.isdigit():
        raise InvalidInput("提交的数据无效，请刷新页面后重试", field=field)
    return int(text)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


PLANS_PER_PAGE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The exam plans the logged-in user may see; the centre also sees what awaits its decision."""
    user: Any = request.user
    plans = sel.plan_list(user)
    # Filters (the centre's worklist links here for "all of them"): a status, or a roster awaiting review.
    f = {key: request.GET.get(key, "").strip() for key in ("status", "roster")}
    if f["status"] in ExamPlan.Status.values:
        plans = plans.filter(status=f["status"])
    else:
        f["status"] = ""
    if f["roster"] == RosterReview.Status.SUBMITTED:
        plans = plans.filter(pk__in=RosterReview.objects.filter(status=RosterReview.Status.SUBMITTED).values("plan"))
    else:
        f["roster"] = ""
    # Only the columns the table shows (the plan row also carries fees, texts and timestamps).
    plans = plans.only("public_id", "title", "scope_name", "level", "registration_opens", "registration_closes",
                       "exam_start", "status", "institution__name", "venue__name")
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"plans": page.object_list, "page": page, "f": f,
                               "keep": urlencode({k: v for k, v in f.items() if v}),
                               "statuses": ExamPlan.Status.choices}
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
            scope = scopes.filter(pk=_pk(p.get("scope"), "scope")).first()
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
    supervisors = list(plan.supervisors.select_related("draw", "report"))
    context = {
        "plan": plan, "registrations": regs, "window": entry_window(plan),
        "due": plans.exam_application_due(plan)[0], "missing": missing_materials(plan),
        "reviews": plan.roster_reviews.all(), "applications": plan.exam_applications.all(),
        "assignments": list(plan.assignments.select_related("assessor", "draw")),
        "supervisors": supervisors,
        "reportable": [s for s in supervisors if not hasattr(s, "report") and (
            (s.user_id is not None and s.user_id == user.pk)
            or (s.kind == "internal" and user.institution_id == plan.institution_id))
            and plan.status == ExamPlan.Status.APPROVED],
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
    review = sel.roster_review_for(request.user, _pk(request.POST.get("review"), "review"))
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


def _cancel(request: HttpRequest, plan: ExamPlan) -> str:
    plans.plan_cancel(actor=request.user, plan=plan, reason=request.POST.get("reason", ""), at=clock.now())
    return "考核计划已取消"


def _pass_mark(request: HttpRequest, plan: ExamPlan) -> str:
    mark = _decimal(request.POST.get("pass_mark", "").strip(), "pass_mark")
    plans.plan_set_pass_mark(actor=request.user, plan=plan, pass_mark=mark, at=clock.now())
    return f"合格分数线已设为 {mark}"


def _internal_supervisor(request: HttpRequest, plan: ExamPlan) -> str:
    made = dispatch.internal_supervisor_record(actor=request.user, plan=plan, name=request.POST.get("name", ""),
                                               at=clock.now())
    return f"已登记内部质量督导员 {made.name}"


def _report(request: HttpRequest, plan: ExamPlan) -> str:
    """002 第十七条: 现场质量督导记录表, 考评员考评工作评价记录表 (one line per assessor), corrections."""
    assignment = sel.supervisor_assignment_for(request.user, _pk(request.POST.get("assignment"), "assignment"))
    if assignment.plan_id != plan.pk:
        raise Http404
    evaluation = []
    for a in plan.assignments.select_related("assessor"):
        rating = request.POST.get(f"rating-{a.pk}", "").strip()
        if rating:
            evaluation.append({"assessor": a.assessor.name, "rating": rating,
                               "remark": request.POST.get(f"remark-{a.pk}", "").strip()})
    dispatch.supervision_report_file(actor=request.user, assignment=assignment, at=clock.now(),
                                     site_record=request.POST.get("site_record", ""), assessor_evaluation=evaluation,
                                     corrections=request.POST.get("corrections", ""))
    return "现场质量督导记录已提交"


def _correct(request: HttpRequest, plan: ExamPlan) -> str:
    score = sel.score_for(request.user, _pk(request.POST.get("score"), "score"))
    if score.sheet.plan_id != plan.pk:
        raise Http404
    raw = request.POST.get("value", "").strip()
    value = None if raw in ("", "缺考") else _decimal(raw, "value")
    scoring.score_correct(actor=request.user, score=score, value=value, reason=request.POST.get("reason", ""),
                          at=clock.now())
    return f"已更正 {score.registration.name} 的评分（理由已记录）"


ACTIONS: dict[str, Callable[[HttpRequest, ExamPlan], str]] = {
    "publish": _publish, "register": _register, "roster": _roster, "roster-decide": _roster_decide,
    "application": _application, "application-decide": _application_decide, "dispatch": _dispatch,
    "supervisors": _supervisors, "scores": _scores, "results": _results, "results-decide": _results_decide,
    "cancel": _cancel, "pass-mark": _pass_mark, "internal-supervisor": _internal_supervisor, "report": _report,
    "correct": _correct,
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


# --- one registration: the 一表一书两证明 and withdrawal (002 第六条(一)) --------------------------------


@login_required
def registration_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    reg = sel.registration_for(user, public_id)
    plan = reg.plan
    own = user.role == Role.INSTITUTION_USER and user.institution_id == plan.institution_id
    error: DomainError | None = None
    if request.method == "POST":
        if not own:
            raise Http404
        action, now = request.POST.get("action", ""), clock.now()
        try:
            if action == "material":
                upload = request.FILES.get("file")
                if upload is None:
                    raise InvalidInput("请选择要上传的文件（PDF、JPEG、PNG 或 OFD）", field="file")
                registrations.registration_attach_material(actor=user, registration=reg,
                                                           key=request.POST.get("key", ""), upload=upload, at=now)
                messages.success(request, "报名材料已上传")
            elif action == "withdraw":
                if not request.POST.get("reason", "").strip():
                    raise InvalidInput("撤销报名须写明原因", field="reason")
                registrations.registration_withdraw(actor=user, registration=reg,
                                                    reason=request.POST.get("reason", ""), at=now)
                messages.success(request, f"已撤销 {reg.name} 的报名")
            else:
                raise Http404
            return redirect("exams:registration", public_id=reg.public_id)
        except DomainError as exc:
            error = exc
    items = registrations.material_items(plan)
    have = {m.key: m for m in reg.materials.select_related("file")}
    return render(request, "exams/registration.html", {
        "reg": reg, "plan": plan, "own": own, "error": error, "form": request.POST if error else {},
        "materials": [(key, name, have.get(key)) for key, name in items.items()],
        "source": get_pack(plan.pack_id).exams.candidate_materials.source}, status=422 if error else 200)


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


# --- shared for the registers (assessor pool, venues, training rosters) --------------------------------


def _is_official(user: Any) -> bool:
    return user.role in OFFICIAL_ROLES or user.role == Role.SYSADMIN


def _employer(code: str) -> Institution | None:
    return assessors.employer_by_credit_code(code, field="credit_code")


def _linked_user(username: str) -> Any:
    if not username.strip():
        return None
    found = User.objects.filter(username=username.strip()).first()
    if found is None:
        raise InvalidInput(f"没有用户名为“{username.strip()}”的账号", field="username")
    return found


# --- the assessor pool (002 第十五条) -----------------------------------------------------------------


@login_required
def assessor_pool(request: HttpRequest) -> HttpResponse:
    """The officials' pool: list (ID masked) and the form that adds an assessor."""
    user: Any = request.user
    if not _is_official(user):
        raise Http404
    initial = {"region_code": user.authority.region_code} if user.authority else {}
    form = AssessorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessor = assessors.assessor_add(
                actor=user, name=data["name"], id_number=data["id_number"], region_code=data["region_code"],
                employer_name=data["employer_name"], employer=_employer(data["employer_credit_code"]),
                user=_linked_user(data["username"]), at=clock.now(),
                certificates=[assessors.CertificateIn(scope_name=data["scope_name"], level=data["level"],
                                                      number=data["number"], valid_until=data["valid_until"])])
        except DomainError as exc:
            form.add_refusal(exc)
        else:
            messages.success(request, f"考评员 {assessor.name}（{assessor.masked_id}）已入库")
            return redirect("exams:assessors")
    return render(request, "exams/assessors.html", {"assessors": sel.assessor_list(user)[:1000], "form": form,
                                                    "today": clock.today()},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def assessor_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    assessor = sel.assessor_for(user, public_id)
    edit = AssessorEditForm(initial={
        "name": assessor.name, "region_code": assessor.region_code, "employer_name": assessor.employer_name,
        "employer_credit_code": assessor.employer.credit_code if assessor.employer else "",
        "username": assessor.user.username if assessor.user else ""})
    if assessor.id_number:
        del edit.fields["id_number"]
    cert_form, deactivate_form, remove_form = CertificateForm(), ReasonForm(), ReasonForm()
    failed = False
    if request.method == "POST":
        action, now = request.POST.get("action", ""), clock.now()
        try:
            if action == "edit":
                edit = AssessorEditForm(request.POST)
                if assessor.id_number:
                    del edit.fields["id_number"]
                if edit.is_valid():
                    d = edit.cleaned_data
                    assessors.assessor_update(actor=user, assessor=assessor, name=d["name"],
                                              id_number=d.get("id_number") or "",
                                              region_code=d["region_code"], employer_name=d["employer_name"],
                                              employer=_employer(d["employer_credit_code"]),
                                              user=_linked_user(d["username"]), at=now)
                    messages.success(request, "考评员信息已保存")
                    return redirect("exams:assessor", public_id=assessor.public_id)
            elif action == "certificate":
                cert_form = CertificateForm(request.POST)
                if cert_form.is_valid():
                    d = cert_form.cleaned_data
                    assessors.assessor_certificate_add(actor=user, assessor=assessor, at=now, certificate=(
                        assessors.CertificateIn(scope_name=d["scope_name"], level=d["level"], number=d["number"],
                                                valid_until=d["valid_until"])))
                    messages.success(request, "考评员证书已登记")
                    return redirect("exams:assessor", public_id=assessor.public_id)
            elif action in ("deactivate", "remove-certificate"):
                reason_form = ReasonForm(request.POST)
                if action == "deactivate":
                    deactivate_form = reason_form
                else:
                    remove_form = reason_form
                if reason_form.is_valid():
                    reason = reason_form.cleaned_data["reason"]
                    if action == "deactivate":
                        assessors.assessor_deactivate(actor=user, assessor=assessor, reason=reason, at=now)
                        messages.success(request, f"{assessor.name} 已出库，不再参加选派")
                    else:
                        picked = _pk(request.POST.get("certificate"), "certificate")
                        cert = assessor.certificates.filter(pk=picked).first()
                        if cert is None:
                            raise Http404
                        assessors.assessor_certificate_remove(actor=user, certificate=cert, reason=reason, at=now)
                        messages.success(request, f"证书 {cert.number} 已注销")
                    return redirect("exams:assessor", public_id=assessor.public_id)
            elif action == "reactivate":
                assessors.assessor_reactivate(actor=user, assessor=assessor, at=now)
                messages.success(request, f"{assessor.name} 已重新入库")
                return redirect("exams:assessor", public_id=assessor.public_id)
            else:
                raise Http404
        except DomainError as exc:
            target = {"edit": edit, "certificate": cert_form, "deactivate": deactivate_form}.get(action, remove_form)
            target.add_refusal(exc)
        failed = True
    assignments = (assessor.assignments.select_related("plan__venue", "plan__institution")
                   .order_by("-plan__exam_start")[:50])
    return render(request, "exams/assessor_detail.html", {
        "assessor": assessor, "edit": edit, "cert_form": cert_form, "deactivate_form": deactivate_form,
        "remove_form": remove_form, "posted_certificate": request.POST.get("certificate", ""),
        "assignments": assignments, "today": clock.today(),
        "action": request.POST.get("action", "") if failed else ""}, status=422 if failed else 200)


# --- venues (002 第十三条) -----------------------------------------------------------------------------


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    """Institution: its venues and the off-site request form. Officials: the venues of their area,
    requests waiting for the centre first."""
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER and not _is_official(user):
        raise Http404
    form = OffSiteVenueForm(request.POST or None) if user.role == Role.INSTITUTION_USER else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            venue = plans.venue_apply_off_site(actor=user, institution=user.institution, name=d["name"],
                                               address=d["address"], region_code=d["region_code"], rooms=d["rooms"],
                                               capacity=d["capacity"], reason=d["reason"], at=clock.now())
        except DomainError as exc:
            form.add_refusal(exc)
        else:
            messages.success(request, f"场外考点“{venue.name}”申请已报鉴定中心核实")
            return redirect("exams:venue", public_id=venue.public_id)
    return render(request, "exams/venues.html", {"venues": sel.venue_list(user)[:1000], "form": form},
                  status=422 if form is not None and form.is_bound and form.errors else 200)


@login_required
def venue_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    venue = sel.venue_for(user, public_id)
    may_decide = venue.status == Venue.Status.PENDING and (
        user.role == Role.SYSADMIN or (user.role == Role.CENTRE_STAFF and user.authority is not None
                                       and user.authority.covers(venue.region_code)))
    form = VenueDecisionForm(request.POST or None) if may_decide else None
    if form is not None and request.method == "POST" and form.is_valid():
        approve = request.POST.get("approve") == "1"
        try:
            plans.venue_decide(actor=user, venue=venue, approve=approve, reason=form.cleaned_data["reason"],
                               at=clock.now())
        except DomainError as exc:
            form.add_refusal(exc)
        else:
            messages.success(request, "场外考点已核实通过，可用于考核计划" if approve else "场外考点申请已退回")
            return redirect("exams:venue", public_id=venue.public_id)
    elif request.method == "POST" and form is None:
        raise Http404
    plans_here = sel.plans_visible_to(user).filter(venue=venue).order_by("-exam_start")[:50]
    return render(request, "exams/venue_detail.html", {"venue": venue, "form": form, "plans": plans_here},
                  status=422 if form is not None and form.is_bound and form.errors else 200)


# --- training rosters (002 第五条(四) 考培分离) -----------------------------------------------------------


def _training_page(request: HttpRequest, *, form: Any = None, import_form: Any = None,
                   status: int = 200) -> HttpResponse:
    user: Any = request.user
    is_institution = user.role == Role.INSTITUTION_USER
    return render(request, "exams/training.html", {
        "rosters": sel.training_roster_list(user)[:500], "is_institution": is_institution,
        "form": form or (TrainingRosterForm() if is_institution else None),
        "import_form": import_form or (TrainingImportForm() if is_institution else None),
        "source": _separation_source(user)}, status=status)


def _separation_source(user: Any) -> str:
    institution = getattr(user, "institution", None)
    if institution is not None:
        return get_pack(institution.pack_id).conduct.training_separation.source or "002 第五条(四)"
    return "002 第五条(四)"


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER and not _is_official(user):
        raise Http404
    if request.method != "POST":
        return _training_page(request)
    if user.role != Role.INSTITUTION_USER:
        raise Http404
    form = TrainingRosterForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            roster = registrations.training_roster_declare(
                actor=user, institution=user.institution, title=d["title"], trainees=form.trainee_list(),
                trained_from=d["trained_from"], trained_until=d["trained_until"], at=clock.now())
        except DomainError as exc:
            form.add_refusal(exc)
        else:
            messages.success(request, f"培训学员名册“{roster.title}”已申报（{roster.entries.count()} 人）")
            return redirect("exams:training_roster", pk=roster.pk)
    return _training_page(request, form=form, status=422)


def trainee_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(trainee_template_bytes(), "trainee-template.xlsx")


def _trainee_check(stored: Any, *, today: dt.date) -> tuple[list[tuple[int, str, str]], list[RowError]]:
    with file_open(stored) as stream:
        rows = trainee_rows(stream)
    errors = [RowError(row, "身份证号码", "身份证号码单元格为数字格式，末位可能已丢失，请设为文本格式后重新填写")
              for row, _, _, numeric in rows if numeric]
    errors += registrations.trainee_problems([(row, name, number) for row, name, number, _ in rows], today=today)
    bad = {e.row for e in errors}
    return [(row, name, number) for row, name, number, _ in rows if row not in bad], errors


@login_required
@require_POST
def training_import(request: HttpRequest) -> HttpResponse:
    """Upload → every bad row listed, nothing saved → the user accepts the good rows explicitly."""
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER:
        raise Http404
    now = clock.now()
    if request.POST.get("accept") == "1":
        form = _TrainingAcceptForm(request.POST)
        file_id = _uuid_or_none(request.POST.get("file"))
        # Only a file this user uploaded for the check: the id in the form proves nothing else.
        stored = StoredFile.objects.filter(public_id=file_id, uploaded_by=user).first() if file_id else None
        if stored is None or not form.is_valid():
            messages.error(request, "导入已失效，请重新上传")
            return redirect("exams:training")
        try:
            good, _ = _trainee_check(stored, today=clock.today())
            d = form.cleaned_data
            roster = registrations.training_roster_declare(
                actor=user, institution=user.institution, title=d["title"], trained_from=d["trained_from"],
                trained_until=d["trained_until"], trainees=[(name, number) for _, name, number in good], at=now)
        except (DomainError, RosterFileError) as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else str(exc))
            return redirect("exams:training")
        messages.success(request, f"培训学员名册“{roster.title}”已申报（{len(good)} 人）")
        return redirect("exams:training_roster", pk=roster.pk)
    import_form = TrainingImportForm(request.POST, request.FILES)
    if not import_form.is_valid():
        return _training_page(request, import_form=import_form, status=422)
    try:
        with transaction.atomic():
            stored = file_store(actor=user, upload=import_form.cleaned_data["file"], allowed_kinds=[FileKind.XLSX],
                                at=now, field="file")
        good, errors = _trainee_check(stored, today=clock.today())
    except RosterFileError as exc:
        import_form.add_error("file", str(exc))
        return _training_page(request, import_form=import_form, status=422)
    except DomainError as exc:
        import_form.add_refusal(exc)
        return _training_page(request, import_form=import_form, status=422)
    d = import_form.cleaned_data
    return render(request, "exams/training_import.html", {
        "stored": stored, "good": len(good), "errors": errors, "bad": len({e.row for e in errors}),
        "title": d["title"], "trained_from": d["trained_from"], "trained_until": d["trained_until"]})


class _TrainingAcceptForm(TrainingImportForm):
    file = None  # type: ignore[assignment]  # the stored file's id travels in a hidden input


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@login_required
def training_roster(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    roster = sel.training_roster_for(user, pk)
    own = user.role == Role.INSTITUTION_USER and user.institution_id == roster.institution_id
    form = ReasonForm()
    failed = False
    if request.method == "POST":
        if not own:
            raise Http404
        form = ReasonForm(request.POST)
        action = request.POST.get("action", "")
        if form.is_valid():
            try:
                if action == "withdraw":
                    registrations.training_roster_withdraw(actor=user, roster=roster,
                                                           reason=form.cleaned_data["reason"], at=clock.now())
                    messages.success(request, "培训学员名册已撤回")
                elif action == "remove":
                    entry = sel.trainee_for(user, roster, _pk(request.POST.get("entry"), "entry"))
                    registrations.training_trainee_remove(actor=user, entry=entry,
                                                          reason=form.cleaned_data["reason"], at=clock.now())
                    messages.success(request, f"已移除学员 {entry.name}")
                else:
                    raise Http404
                return redirect("exams:training_roster", pk=roster.pk)
            except DomainError as exc:
                form.add_refusal(exc)
        failed = True
    entries = roster.entries.order_by("pk")
    return render(request, "exams/training_roster.html", {
        "roster": roster, "entries": entries[:5000], "own": own, "form": form, "failed": failed,
        "posted_entry": request.POST.get("entry", ""), "posted_action": request.POST.get("action", "")},
        status=422 if failed else 200)
