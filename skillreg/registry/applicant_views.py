"""The applicant's pages: registering the organisation, and filling in the application form.

Thin: parse with the page form, call the service, and on a refusal put the service's message
next to the field it names, keeping everything typed (passwords excepted).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from skillreg.accounts.models import Role
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry import eligibility
from skillreg.registry.forms import ApplicationEditor, RegistrationForm
from skillreg.registry.models import Application
from skillreg.registry.selectors import application_for
from skillreg.registry.services import applications as svc
from skillreg.registry.services.registration import institution_self_register

EDITABLE = (Application.Status.DRAFT, Application.Status.SUPPLEMENT_REQUESTED)


def register_organisation(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, "您已登录，无需再注册单位")
        return redirect("registry:worklist")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user: Any = institution_self_register(**form.service_kwargs(), at=clock.now())
        except InvalidInput as exc:
            form.add_service_error(exc)
        else:
            # Two authentication backends are configured (axes first): name the one that holds users.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"“{user.institution.name}”已注册，受理部门为{user.institution.authority.name}。"
                                      "请新建备案申请并填写申请表。")
            return redirect("registry:worklist")
    return render(request, "registry/register.html", {"form": form})


@login_required
def edit_application(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = application_for(request.user, public_id)
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER:
        # Only the applicant fills in its form; to anyone else the page does not exist.
        raise Http404("未找到该申请")
    pack = get_pack(application.pack_id)
    editable = application.status in EDITABLE
    posted = request.method == "POST" and editable
    editor = ApplicationEditor(application=application, pack=pack, data=request.POST if posted else None,
                               readonly=not editable)
    if posted and editor.is_valid():
        try:
            svc.application_save_draft(actor=user, application=application, form=editor.form_data(),
                                       at=clock.now())
        except InvalidInput as exc:
            editor.add_service_error(exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "申请表已保存")
            if request.POST.get("then") == "detail":
                return redirect("registry:application", public_id=application.public_id)
            return redirect("registry:application_edit", public_id=application.public_id)
    return render(request, "registry/application_edit.html", {
        "app": application, "pack": pack, "editor": editor, "layout": editor.layout,
        "editable": editable, "errors": editor.error_lines() if posted else [],
        "checks": eligibility.report(pack, application) if not posted else [],
    })
