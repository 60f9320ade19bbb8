"""Pages for applications: worklist, the application's whole story, and the actions on it.

Thin: parse, fetch through a scoped selector (404 for what the user may not see), call the
same service the API calls, render. A refusal becomes a message on the page, with its clause.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillreg.accounts.models import Role
from skillreg.audit.selectors import timeline_for
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.files.views import content_disposition
from skillreg.policies.registry import get_pack
from skillreg.registry import documents, eligibility, workflow
from skillreg.registry.clocks import application_clocks
from skillreg.registry.models import Application
from skillreg.registry.selectors import application_for, applications_visible_to
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.workdays.calendar import WorkCalendar

PAGE_SIZE = 20


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    qs = applications_visible_to(request.user).select_related("supplement_notice", "filing")
    status = request.GET.get("status", "")
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=workflow.OPEN_STATUSES)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(institution__name__contains=q)
    page = Paginator(qs.order_by("-submitted_at", "-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = WorkCalendar()
    rows = [(app, application_clocks(app, calendar=calendar)) for app in page]
    return render(request, "registry/worklist.html", {
        "page": page, "rows": rows, "status": status, "q": q,
        "statuses": Application.Status.choices,
        "can_create": request.user.role == Role.INSTITUTION_USER,  # type: ignore[union-attr]
    })


@login_required
def application_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = application_for(request.user, public_id)
    pack = get_pack(application.pack_id)
    user: Any = request.user
    is_applicant = user.role == Role.INSTITUTION_USER
    receiving = user.authority_id in (application.authority_id, application.reviewing_authority_id)
    context = {
        "app": application,
        "pack": pack,
        "clocks": application_clocks(application),
        "checks": eligibility.report(pack, application),
        "materials": application.materials.filter(superseded=False).select_related("file"),
        "material_keys": svc.material_keys(application),
        "notice": getattr(application, "supplement_notice", None),
        "filing": getattr(application, "filing", None),
        "documents": documents.available(application),
        "panel": application.panels.order_by("-pk").first(),
        "events": timeline_for(object_type="registry.application", object_id=str(application.public_id)),
        "can": {
            "submit": is_applicant and workflow.can(application, "submit"),
            "edit": is_applicant and application.status in (Application.Status.DRAFT,
                                                             Application.Status.SUPPLEMENT_REQUESTED),
            "supplement": is_applicant and workflow.can(application, "supplement"),
            "withdraw": is_applicant and workflow.can(application, "withdraw"),
            "upload": is_applicant and application.status in (Application.Status.DRAFT,
                                                               Application.Status.SUPPLEMENT_REQUESTED),
            "accept": receiving and user.role == Role.FILING_OFFICIAL and workflow.can(application, "accept"),
            "request_supplement": receiving and user.role == Role.FILING_OFFICIAL
            and workflow.can(application, "request_supplement") and not hasattr(application, "supplement_notice"),
            # The expert panel (evaluation app) moves the application into and out of evaluation.
            "evaluate": receiving and user.role in (Role.FILING_OFFICIAL, Role.CENTRE_STAFF)
            and application.status in (Application.Status.ACCEPTED, Application.Status.EVALUATING)
            and not pack.evaluation.methods.silent,
            "decide": receiving and user.role == Role.APPROVING_OFFICIAL and workflow.can(application, "file"),
        },
    }
    return render(request, "registry/application.html", context)


def _act(request: HttpRequest, public_id: uuid.UUID, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    application = application_for(request.user, public_id)
    try:
        action(actor=request.user, application=application, at=clock.now(), **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message + (f"（依据：{exc.source}）" if exc.source else ""))
    else:
        messages.success(request, done)
    return redirect("registry:application", public_id=public_id)


@login_required
@require_POST
def application_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    simple = {
        "submit": (svc.application_submit, "申请已提交"),
        "accept": (svc.application_accept, "已受理"),
        "supplement": (svc.application_supplement, "补正材料已提交"),
        "withdraw": (svc.application_withdraw, "申请已撤回"),
        "file": (decisions.application_file, "已备案并公布"),
    }
    if action in simple:
        fn, done = simple[action]
        return _act(request, public_id, fn, done)
    if action == "request-supplement":
        lines = [line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()]
        items = [{"text": line} for line in lines]
        return _act(request, public_id, svc.application_request_supplement, "已发出一次性补正告知", items=items)
    if action == "refuse":
        return _act(request, public_id, svc.application_refuse, "已作出不予备案决定",
                    reason=request.POST.get("reason", ""), source=request.POST.get("source", ""))
    if action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件")
            return redirect("registry:application", public_id=public_id)
        return _act(request, public_id, svc.application_attach_material, "材料已上传",
                    key=request.POST.get("key", ""), upload=upload)
    return redirect("registry:application", public_id=public_id)


@login_required
@require_POST
def application_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER:
        messages.error(request, "只有机构用户可以创建备案申请")
        return redirect("registry:worklist")
    application = svc.application_create(actor=user, institution=user.institution, at=clock.now())
    return redirect("registry:application_edit", public_id=application.public_id)


@login_required
def application_document(request: HttpRequest, public_id: uuid.UUID, kind: str, fmt: str) -> HttpResponse:
    application = application_for(request.user, public_id)
    try:
        content, content_type, name = documents.render(application, kind, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("registry:application", public_id=public_id)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    return response
