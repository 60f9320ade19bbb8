"""Pages: the official's panel page, the expert's list and scoring form, the expert pool.

Thin: parse, fetch through a scoped selector (404 for what the user may not see), call the
same service the API calls, render. A refusal becomes a message with its clause.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import OFFICIAL_ROLES, Role, User
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.evaluation import selectors, services
from skillreg.evaluation.forms import ExpertForm, ScoreForm
from skillreg.evaluation.models import PanelMember, ScorePhoto
from skillreg.evaluation.pool import organised_by_province, pool_experts
from skillreg.files.views import serve_stored_file
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Application, EvaluationPlan, Institution

S = Application.Status


def _refusal(exc: DomainError) -> str:
    return exc.message + (f"（依据：{exc.source}）" if exc.source else "")


# --- the expert's side -------------------------------------------------------------------


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(request, "evaluation/mine.html", {
        "members": selectors.assignments_for(user),
        "is_expert": user.role == Role.EXPERT,
        "is_official": user.role in OFFICIAL_ROLES,
    })


def _score_context(member: PanelMember, form: ScoreForm | None) -> dict[str, Any]:
    application = member.panel.application
    pack = get_pack(application.pack_id)
    own = getattr(member, "score", None)
    others: list[PanelMember] = []
    if own is not None:
        # Independence: the others' scores show only once one's own is in.
        others = [m for m in selectors.panel_members(member.panel)
                  if m.pk != member.pk and m.status == PanelMember.Status.SUBMITTED]
    return {"member": member, "app": application, "pack": pack, "form": form, "own": own, "others": others,
            "plan": EvaluationPlan.objects.filter(application=application).first(),
            "scope": (application.form or {}).get("scope", [])}


@login_required
def score_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    member = selectors.membership_for(request.user, public_id)
    pack = get_pack(member.panel.application.pack_id)
    methods = list(pack.evaluation.methods.items)
    can_score = member.status == PanelMember.Status.DRAWN and member.panel.is_open
    form = ScoreForm(methods=methods) if can_score else None
    if request.method == "POST" and can_score:
        form = ScoreForm(request.POST, methods=methods)
        if form.is_valid():
            try:
                services.score_submit(actor=request.user, member=member, items=form.items(),  # type: ignore[arg-type]
                                      passed=form.cleaned_data["passed"] == "pass",
                                      opinion=form.cleaned_data["opinion"],
                                      photos=request.FILES.getlist("photos"), at=clock.now())
            except DomainError as exc:
                # Re-render with everything typed; the browser does not keep the chosen photos.
                form.add_error(None, _refusal(exc))
            else:
                messages.success(request, "评分已提交")
                return redirect("evaluation:score", public_id=public_id)
    return render(request, "evaluation/score.html", _score_context(member, form))


@login_required
@require_POST
def decline_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    member = selectors.membership_for(request.user, public_id)
    try:
        services.panel_member_decline(actor=request.user, member=member,  # type: ignore[arg-type]
                                      reason=request.POST.get("reason", ""), at=clock.now())
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, "已登记谢绝，经办人员将补抽专家")
    return redirect("evaluation:score", public_id=public_id)


@login_required
def photo(request: HttpRequest, file_id: uuid.UUID) -> FileResponse:
    item = ScorePhoto.objects.select_related("file", "score__member__expert",
                                             "score__member__panel__application").filter(
        file__public_id=file_id).first()
    if item is None:
        raise Http404
    member = item.score.member
    user: Any = request.user
    if member.expert.user_id != user.pk:
        selectors.official_application(user, member.panel.application.public_id)
    return serve_stored_file(request, item.file)


# --- the official's panel page ------------------------------------------------------------


@login_required
def panel_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = selectors.official_application(request.user, public_id)
    user: Any = request.user
    pack = get_pack(application.pack_id)
    panel = selectors.current_panel(application)
    members = list(selectors.panel_members(panel)) if panel else []
    handler = (user.role in services.HANDLER_ROLES
               and user.authority_id in (application.authority_id, application.reviewing_authority_id))
    open_panel = panel is not None and panel.is_open
    plan_rule = pack.clocks.evaluation_plan
    return render(request, "evaluation/panel.html", {
        "app": application, "pack": pack, "panel": panel, "members": members,
        "draws": selectors.draws_of(panel) if panel else [],
        "plan": EvaluationPlan.objects.filter(application=application).first(),
        "plan_rule": plan_rule, "rule_source": services.rule_source(pack),
        "province_pool": organised_by_province(pack),
        "pool_size": pool_experts(application, pack).count() if not pack.evaluation.methods.silent else 0,
        "can": {
            "plan": handler and application.status == S.ACCEPTED,
            "draw": handler and not pack.evaluation.methods.silent and not open_panel
            and application.status in (S.ACCEPTED, S.EVALUATING),
            "decline": handler and open_panel,
            "replace": handler and open_panel and any(m.status == PanelMember.Status.DECLINED for m in members),
            "conclude": handler and open_panel,
        },
        "posted": request.session.pop("evaluation_posted", {}),
    })


def _back(public_id: uuid.UUID) -> HttpResponse:
    return redirect("evaluation:panel", public_id=public_id)


@login_required
@require_POST
def panel_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    application = selectors.official_application(request.user, public_id)
    actor: Any = request.user
    now = clock.now()
    post = request.POST
    try:
        if action == "plan":
            try:
                day = dt.date.fromisoformat(post.get("evaluation_date", ""))
            except ValueError:
                raise DomainError("请填写评估日期（年-月-日）", field="evaluation_date") from None
            services.evaluation_plan_file(actor=actor, application=application, evaluation_date=day,
                                          content=post.get("content", ""), at=now)
            done = "评估方案已报备"
        elif action == "draw":
            try:
                size = int(post.get("size", ""))
            except ValueError:
                raise DomainError("请填写专家组人数（整数）", field="size") from None
            services.panel_draw(actor=actor, application=application, size=size, at=now)
            done = "已随机抽取专家组，申请进入专家评估"
        elif action in ("decline", "replace", "conclude"):
            panel = selectors.current_panel(application)
            if panel is None:
                raise Http404
            if action == "decline":
                member = selectors.member_on(panel, uuid.UUID(post.get("member", "")))
                services.panel_member_decline(actor=actor, member=member, reason=post.get("reason", ""), at=now)
                done = f"已登记 {member.expert.name} 谢绝"
            elif action == "replace":
                services.panel_replace(actor=actor, panel=panel, at=now)
                done = "已补抽专家"
            else:
                services.panel_conclude(actor=actor, panel=panel, passed=post.get("passed") == "1",
                                        summary=post.get("summary", ""), at=now)
                done = "评估结论已记录"
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, _refusal(exc))
        # Keep what was typed in the form that failed (shown again by panel_page).
        request.session["evaluation_posted"] = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
    except ValueError:
        messages.error(request, "请求参数有误")
    else:
        messages.success(request, done)
    return _back(public_id)


# --- the expert pool --------------------------------------------------------------------


@login_required
def pool_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in OFFICIAL_ROLES and user.role != Role.SYSADMIN:
        raise Http404
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        linked = User.objects.filter(username=data["username"]).first() if data["username"] else None
        try:
            if data["username"] and linked is None:
                raise DomainError(f"没有用户名为“{data['username']}”的账号", field="username")
            services.expert_add(actor=user, name=data["name"], employer=data["employer"],
                                employer_credit_code=data["employer_credit_code"],
                                specialties=form.specialty_list(), region_code=data["region_code"],
                                user=linked, at=clock.now())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, _refusal(exc))
        else:
            messages.success(request, "专家已入库")
            return redirect("evaluation:pool")
    return render(request, "evaluation/pool.html", {
        "experts": selectors.pool_of(user).prefetch_related("conflicts__institution").order_by("-active", "name"),
        "form": form,
    })


@login_required
@require_POST
def expert_action(request: HttpRequest, expert_id: uuid.UUID, action: str) -> HttpResponse:
    expert = selectors.expert_for(request.user, expert_id)
    actor: Any = request.user
    try:
        if action == "deactivate":
            services.expert_deactivate(actor=actor, expert=expert, at=clock.now())
            messages.success(request, f"{expert.name} 已出库")
        elif action == "conflict":
            code = request.POST.get("credit_code", "").strip().upper()
            institution = Institution.objects.filter(credit_code=code).first()
            if institution is None:
                raise DomainError(f"没有统一社会信用代码为“{code}”的机构", field="credit_code")
            services.conflict_declare(actor=actor, expert=expert, institution=institution,
                                      reason=request.POST.get("reason", ""), at=clock.now())
            messages.success(request, f"已登记 {expert.name} 回避 {institution.name}")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    return redirect("evaluation:pool")
