"""Pages: the institution's and the officials' lists, a certificate's own page, issuing,
revoking, and the public verification page (no login). The same services as the API."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillreg.accounts.models import Role
from skillreg.certificates import policy
from skillreg.certificates import selectors as sel
from skillreg.certificates import services as svc
from skillreg.certificates.approval import find_sitting
from skillreg.certificates.links import verify_url
from skillreg.certificates.pdf import render_certificate_pdf
from skillreg.certificates.ratelimit import hit
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.policies.schema import LEVEL_NAMES
from skillreg.registry.models import InstitutionScope

VERIFY_FIELDS = ("number", "id_number", "name")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Institution users: their certificates; officials: their jurisdiction's. IDs masked."""
    q = request.GET.get("q", "").strip()[:40]
    qs = sel.certificates_visible_to(request.user)
    if q:
        qs = qs.filter(number=q.upper()) if q.isascii() else qs.filter(holder_name=q)
    page = Paginator(qs, sel.PAGE_SIZE).get_page(request.GET.get("page"))
    user: Any = request.user
    return render(request, "certificates/index.html", {
        "page": page, "q": q, "can_issue": user.role == Role.INSTITUTION_USER,
    })


def _detail_context(request: HttpRequest, cert: Any, **extra: Any) -> dict[str, Any]:
    full_id = None
    if svc.may_see_full_id(request.user, cert):
        # Each view of the full number is recorded (certificates.id_viewed).
        full_id = svc.certificate_full_id(actor=request.user, certificate=cert, purpose="证书页面", at=clock.now())
    return {"cert": cert, "full_id": full_id, "can_revoke": svc.may_revoke(request.user, cert)
            and cert.status == cert.Status.VALID, "verify_url": verify_url(cert.number, request), **extra}


@login_required
@require_GET
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cert = sel.certificate_for(request.user, public_id)
    return render(request, "certificates/detail.html", _detail_context(request, cert))


@login_required
@require_POST
def revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cert = sel.certificate_for(request.user, public_id)
    reason = request.POST.get("reason", "")
    try:
        svc.certificate_revoke(actor=request.user, certificate=cert, reason=reason, at=clock.now())
    except DomainError as exc:
        return render(request, "certificates/detail.html",
                      _detail_context(request, cert, revoke_error=exc, reason=reason), status=exc.status)
    messages.success(request, f"证书 {cert.number} 已撤销")
    return redirect("certificates:detail", public_id=cert.public_id)


@login_required
@require_GET
def pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cert = sel.certificate_for(request.user, public_id)
    try:
        svc.certificate_full_id(actor=request.user, certificate=cert, purpose="下载证书PDF", at=clock.now())
    except svc.NotAllowed as exc:
        raise Http404 from exc
    response = HttpResponse(render_certificate_pdf(cert, verify_url=verify_url(cert.number, request)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _parse_holders(text: str) -> list[svc.Holder]:
    """One person a line: 姓名 and 身份证号码, separated by a space, a comma or a tab."""
    holders = []
    for line in text.splitlines():
        parts = line.replace("，", ",").replace("\t", ",").replace(",", " ").split()
        if parts:
            holders.append(svc.Holder(" ".join(parts[:-1]), parts[-1]))
    return holders


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.INSTITUTION_USER or user.institution is None:
        raise Http404
    institution = user.institution
    rules = policy.for_pack(institution.pack_id)
    scope = InstitutionScope.objects.filter(institution=institution).order_by("name", "-level")
    form = {name: request.POST.get(name, "") for name in ("sitting", "occupation", "level", "holders")}
    error: DomainError | None = None
    if request.method == "POST":
        try:
            sitting = find_sitting(institution=institution, key=form["sitting"].strip())
            if sitting is None:
                raise DomainError("未找到该考核批次，或考务模块尚未提供批次信息", code="sitting_not_found",
                                  field="sitting")
            level = int(form["level"]) if form["level"].strip().isdigit() else None
            created = svc.certificates_issue(
                actor=user, institution=institution, holders=_parse_holders(form["holders"]),
                occupation=form["occupation"], level=level, sitting=sitting, at=clock.now(),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"已发放 {len(created)} 本证书：{created[0].number} 起")
            return redirect("certificates:index")
    return render(request, "certificates/issue.html", {
        "institution": institution, "rules": rules, "scope": scope, "form": form, "error": error,
        "levels": sorted(LEVEL_NAMES.items(), reverse=True),
    }, status=error.status if error else 200)


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Public: no login. A QR code on a certificate lands here with ?number= filled in."""
    form = {name: request.GET.get(name, "").strip()[:60] for name in VERIFY_FIELDS}
    context: dict[str, Any] = {"form": form, "result": None, "message": "", "submitted": any(form.values())}
    status = 200
    if context["submitted"]:
        verdict = hit(request)
        if not verdict.allowed:
            context["message"] = verdict.message
            response = render(request, "certificates/verify.html", context, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        try:
            context["result"] = sel.verify(number=form["number"], id_number=form["id_number"], name=form["name"])
        except DomainError as exc:
            context["message"], status = exc.message, exc.status
        except sel.NotFound:
            context["message"], status = "未找到该证书", 404
        except sel.SeveralCertificates:
            context["message"], status = "该身份证号码和姓名下有多本证书，请输入证书编号查验", 409
    return render(request, "certificates/verify.html", context, status=status)
