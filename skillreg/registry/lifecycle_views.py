"""Pages of the filed institution's life: the authority's list, one institution's life, a
change filing, the project catalogue requests and stop orders.

Thin: parse, fetch through a scoped read (404 outside the user's jurisdiction), call the
same service the API calls, render. A refusal re-renders the page with the message next to
the form and what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import Role
from skillreg.audit.selectors import timeline_for
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import (
    Application,
    CancellationRequest,
    ChangeFiling,
    InstitutionScope,
    ProjectRequest,
)
from skillreg.registry.selectors import institution_for, institutions_visible_to
from skillreg.registry.services import lifecycle as svc

LEVEL_BY_LABEL = {label: level for level, label in LEVELS.items()}


def _user(request: HttpRequest) -> Any:
    return request.user  # login_required: a User


def _error_text(exc: DomainError) -> str:
    return exc.message + (f"（依据：{exc.source}）" if exc.source else "")


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput("请填写日期（YYYY-MM-DD）", field=field) from exc


def _levels(text: str) -> list[int]:
    levels = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        level = LEVEL_BY_LABEL.get(part) or (int(part) if part.isdigit() else 0)
        if level not in LEVELS:
            raise InvalidInput(f"等级“{part}”应为 1–5 或 初级、中级、高级、技师、高级技师", field="changes")
        levels.append(level)
    return levels


def parse_scope_lines(add: str, remove: str) -> dict[str, list[dict[str, Any]]]:
    """``名称|等级,等级|职业编码`` per line to add; ``名称|等级`` (or ``名称``) per line to remove."""
    added, removed = [], []
    for line in add.splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if parts[0]:
            added.append({"name": parts[0], "levels": _levels(parts[1]) if len(parts) > 1 else [],
                          **({"occupation_code": parts[2]} if len(parts) > 2 and parts[2] else {})})
    for line in remove.splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if parts[0]:
            levels = _levels(parts[1]) if len(parts) > 1 else []
            removed += [{"name": parts[0], "level": level} for level in levels] or [{"name": parts[0]}]
    return {"add": added, "remove": removed}


def change_payload(post: Any) -> dict[str, Any]:
    fields = ("name", "organisation_name", "head_name", "legal_representative", "address", "venue")
    data: dict[str, Any] = {f: post.get(f, "").strip() for f in fields if post.get(f, "").strip()}
    data.update({k: v for k, v in parse_scope_lines(post.get("add", ""), post.get("remove", "")).items() if v})
    return data


# --- the authority's list ---------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == Role.INSTITUTION_USER and user.institution_id:
        return redirect("registry:lifecycle_institution", public_id=user.institution.public_id)
    institutions = institutions_visible_to(user)
    today = clock.today()
    context = {
        "today": today,
        "expiring": [(i, svc.renewal_in_time(i)) for i in svc.expiring_filings(institutions, today=today)[:200]],
        "changes": svc.changes_visible_to(user).filter(status__in=ChangeFiling.OPEN).order_by("reported_at")[:200],
        "late_changes": svc.changes_visible_to(user).filter(late=True).order_by("-reported_at")[:50],
        "branch_reports": svc.branch_reports_visible_to(user).filter(withdrawn_at__isnull=True)[:200],
        "cancellations": svc.cancellations_visible_to(user).filter(
            status=CancellationRequest.Status.REQUESTED)[:200],
        "suspended": svc.suspended_scope(institutions)[:200],
        "project_requests": svc.project_requests_visible_to(user).exclude(
            status__in=[ProjectRequest.Status.FILED, ProjectRequest.Status.REFUSED])[:200],
    }
    return render(request, "registry/lifecycle_index.html", context)


# --- one institution's life -------------------------------------------------------------------


def _institution_context(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    institution = institution_for(request.user, public_id)
    user: Any = request.user
    pack = get_pack(institution.pack_id)
    own = user.role == Role.INSTITUTION_USER and user.institution_id == institution.pk
    official = user.role in (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)
    renewals = Application.objects.filter(institution=institution, kind=Application.Kind.RENEWAL).order_by(
        "-created_at")
    return {
        "institution": institution,
        "pack": pack,
        "own": own,
        "official": official,
        "scope": institution.scope.order_by("name", "-level"),
        "filings": institution.filings.order_by("-filed_at"),
        "renewals": renewals,
        "renewal_in_time": svc.renewal_in_time(institution),
        "changes": svc.changes_visible_to(user).filter(institution=institution),
        "branch_reports": svc.branch_reports_visible_to(user).filter(institution=institution),
        "cancellations": svc.cancellations_visible_to(user).filter(institution=institution),
        "kinds": ChangeFiling.Kind.choices,
        "home_prefix": svc.home_prefix(institution) if institution.status in svc.LISTED else "",
        "suspension_source": svc.suspension_source(pack),
        "events": timeline_for(object_type="registry.institution", object_id=str(institution.public_id)),
        "errors": {},
        "posted": {},
        "today": clock.today(),
    }


@login_required
def institution_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render(request, "registry/lifecycle_institution.html", _institution_context(request, public_id))


@login_required
@require_POST
def institution_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    institution = institution_for(request.user, public_id)
    user: Any = request.user
    post, files, now = request.POST, request.FILES, clock.now()
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "renew": (lambda: svc.renewal_start(actor=user, institution=institution, at=now), "已创建延续备案申请"),
        "change": (lambda: svc.change_report(
            actor=user, institution=institution, kind=post.get("kind", ""), changes=change_payload(post),
            change_date=_date(post.get("change_date", ""), "change_date"), upload=files.get("document"), at=now),
            "变更备案已报送"),
        "branch": (lambda: svc.branch_report_make(
            actor=user, institution=institution, region_code=post.get("region_code", "").strip(),
            starts_on=_date(post.get("starts_on", ""), "starts_on"), branch_name=post.get("branch_name", ""),
            address=post.get("address", ""), note=post.get("note", ""), upload=files.get("document"), at=now),
            "已报备"),
        "cancel": (lambda: svc.cancellation_request(
            actor=user, institution=institution, reason=post.get("reason", ""), upload=files.get("document"),
            at=now), "注销申请已提交"),
        "suspend": (lambda: svc.scope_suspend(
            actor=user, scope=_scope_row(institution, post.get("scope", "")), reason=post.get("reason", ""),
            source=post.get("source", ""), at=now), "已暂停"),
        "lift": (lambda: svc.scope_lift(
            actor=user, scope=_scope_row(institution, post.get("scope", "")), reason=post.get("reason", ""),
            at=now), "已恢复"),
    }
    if action not in actions:
        return redirect("registry:lifecycle_institution", public_id=public_id)
    run, done = actions[action]
    try:
        result = run()
    except DomainError as exc:
        context = _institution_context(request, public_id)
        context["errors"] = {action: _error_text(exc)}
        context["posted"] = post
        return render(request, "registry/lifecycle_institution.html", context, status=422)
    messages.success(request, done)
    if isinstance(result, Application):
        return redirect("registry:application", public_id=result.public_id)
    if isinstance(result, ChangeFiling):
        return redirect("registry:lifecycle_change", public_id=result.public_id)
    return redirect("registry:lifecycle_institution", public_id=public_id)


def _scope_row(institution: Any, pk: str) -> InstitutionScope:
    row = InstitutionScope.objects.filter(institution=institution, pk=pk if pk.isdigit() else 0).first()
    if row is None:
        raise InvalidInput("请选择职业（工种）/项目", field="scope")
    return row


# --- a change filing ---------------------------------------------------------------------


def _change_context(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    change = svc.one_of(svc.changes_visible_to(request.user), public_id)
    user: Any = request.user
    deciding = user.authority_id == change.authority_id
    return {
        "change": change,
        "own": user.role == Role.INSTITUTION_USER and user.institution_id == change.institution_id,
        "can_evaluate": deciding and user.role in (Role.FILING_OFFICIAL, Role.CENTRE_STAFF),
        "can_decide": deciding and user.role == Role.APPROVING_OFFICIAL,
        "events": timeline_for(object_type="registry.changefiling", object_id=str(change.public_id)),
        "errors": {}, "posted": {},
    }


@login_required
def change_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render(request, "registry/lifecycle_change.html", _change_context(request, public_id))


@login_required
@require_POST
def change_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    change = svc.one_of(svc.changes_visible_to(request.user), public_id)
    user: Any = request.user
    post, now = request.POST, clock.now()
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "start-evaluation": (lambda: svc.change_start_evaluation(actor=user, change=change, at=now), "已组织评估"),
        "conclude-evaluation": (lambda: svc.change_conclude_evaluation(
            actor=user, change=change, passed=post.get("passed") == "1", summary=post.get("summary", ""), at=now),
            "评估结论已记录"),
        "approve": (lambda: svc.change_approve(actor=user, change=change, reason=post.get("reason", ""), at=now),
                    "已准予变更，目录已更新"),
        "refuse": (lambda: svc.change_refuse(actor=user, change=change, reason=post.get("reason", ""),
                                             source=post.get("source", ""), at=now), "已作出不予变更决定"),
        "withdraw": (lambda: svc.change_withdraw(actor=user, change=change, at=now), "已撤回"),
    }
    if action in actions:
        run, done = actions[action]
        try:
            run()
        except DomainError as exc:
            context = _change_context(request, public_id)
            context["errors"] = {action: _error_text(exc)}
            context["posted"] = post
            return render(request, "registry/lifecycle_change.html", context, status=422)
        messages.success(request, done)
    return redirect("registry:lifecycle_change", public_id=public_id)


@login_required
@require_POST
def cancellation_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    cancellation = svc.one_of(svc.cancellations_visible_to(request.user), public_id)
    fn = {"confirm": svc.cancellation_confirm, "withdraw": svc.cancellation_withdraw}.get(action)
    if fn is not None:
        try:
            fn(actor=_user(request), request=cancellation, at=clock.now())
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "注销已确认" if action == "confirm" else "注销申请已撤回")
    return redirect("registry:lifecycle_institution", public_id=cancellation.institution.public_id)


@login_required
@require_POST
def branch_report_withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = svc.one_of(svc.branch_reports_visible_to(request.user), public_id)
    try:
        svc.branch_report_withdraw(actor=_user(request), report=report, at=clock.now())
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("registry:lifecycle_institution", public_id=report.institution.public_id)


# --- the project catalogue ----------------------------------------------------------------------


def _projects_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "requests": svc.project_requests_visible_to(user)[:200],
        "origins": ProjectRequest.Origin.choices,
        "can_review": user.role in svc.OFFICIALS and user.authority is not None
        and user.authority.level == "province",
        "errors": {}, "posted": {},
    }


@login_required
def project_requests(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        post = request.POST
        try:
            svc.project_request_submit(
                actor=user, origin=post.get("origin", ""), name=post.get("name", ""), code=post.get("code", ""),
                origin_note=post.get("origin_note", ""), question_bank=post.get("question_bank") == "1",
                specification=request.FILES.get("specification"),
                question_bank_upload=request.FILES.get("question_bank_file"), reason=post.get("reason", ""),
                at=clock.now())
        except DomainError as exc:
            context = _projects_context(request)
            context["errors"] = {"submit": _error_text(exc)}
            context["posted"] = post
            return render(request, "registry/lifecycle_projects.html", context, status=422)
        messages.success(request, "增设项目申请已提交")
        return redirect("registry:lifecycle_projects")
    return render(request, "registry/lifecycle_projects.html", _projects_context(request))


@login_required
@require_POST
def project_request_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    item = svc.one_of(svc.project_requests_visible_to(request.user), public_id)
    user: Any = request.user
    post, now = request.POST, clock.now()
    actions: dict[str, Callable[[], Any]] = {
        "review": lambda: svc.project_request_review(actor=user, request=item, at=now),
        "send": lambda: svc.project_request_send(actor=user, request=item, at=now),
        "file": lambda: svc.project_request_file(actor=user, request=item, at=now,
                                                 national_reference=post.get("national_reference", "")),
        "refuse": lambda: svc.project_request_refuse(actor=user, request=item, reason=post.get("reason", ""), at=now),
    }
    if action in actions:
        try:
            actions[action]()
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "已办理")
    return redirect("registry:lifecycle_projects")


# --- stop orders --------------------------------------------------------------------------------


@login_required
def stop_orders(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {"orders": svc.stop_orders_visible_to(user)[:200], "errors": {}, "posted": {},
                               "can_record": user.role in (Role.FILING_OFFICIAL, Role.APPROVING_OFFICIAL)}
    if request.method == "POST":
        post = request.POST
        try:
            svc.stop_order_record(
                actor=user, body_name=post.get("body_name", ""), credit_code=post.get("credit_code", ""),
                region_code=post.get("region_code", "").strip(), facts=post.get("facts", ""),
                ordered_on=_date(post.get("ordered_on", ""), "ordered_on"), upload=request.FILES.get("document"),
                at=clock.now())
        except DomainError as exc:
            context.update(errors={"record": _error_text(exc)}, posted=post)
            return render(request, "registry/lifecycle_stop_orders.html", context, status=422)
        messages.success(request, "责令停止记录已保存")
        return redirect("registry:lifecycle_stop_orders")
    return render(request, "registry/lifecycle_stop_orders.html", context)
