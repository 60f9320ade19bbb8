"""Account pages: the second-factor step after the password, enrolment, the account's
security page (opt in / out), and the password change page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from skillreg.accounts import twofactor
from skillreg.core import clock
from skillreg.core.errors import DomainError

LOCKOUT_MESSAGE = "登录失败次数过多，账户或来源地址已被暂时锁定，请 30 分钟后再试。"


def lockout_response(request: HttpRequest, response: Any = None,
                     credentials: Any = None) -> HttpResponse:
    """django-axes calls this when a login is refused for too many failures."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": LOCKOUT_MESSAGE}, status=429)
    return render(request, "accounts/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse("web:home")


def _verified(request: HttpRequest, device: Any) -> HttpResponseRedirect:
    otp_login(request, device)
    # A new session id once the second factor is given: an id seen before it is worthless.
    request.session.cycle_key()
    return HttpResponseRedirect(_next_url(request))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """第二步：输入身份验证器上的动态口令。"""
    if twofactor.session_is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if twofactor.confirmed_device(request.user) is None:
        return redirect(f"{reverse('accounts:2fa-enrol')}?{request.GET.urlencode()}")
    error = ""
    if request.method == "POST":
        try:
            device = twofactor.verify(user=request.user, token=request.POST.get("otp", ""))
        except DomainError as exc:
            error = exc.message
        else:
            return _verified(request, device)
    return render(request, "accounts/2fa_verify.html",
                  {"error": error, "next": request.POST.get("next") or request.GET.get("next", "")},
                  status=200 if not error else 400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """绑定身份验证器：扫码或输入密钥，再输入一次动态口令确认。"""
    if twofactor.confirmed_device(request.user) is not None:
        # Holding the password is not enough to replace an enrolled authenticator.
        if not twofactor.session_is_verified(request):
            return redirect(f"{reverse('accounts:2fa-verify')}?{request.GET.urlencode()}")
        messages.info(request, "已启用两步验证。")
        return redirect("accounts:security")
    device = twofactor.enrolment_device(user=request.user)
    error = ""
    if request.method == "POST":
        try:
            twofactor.device_confirm(user=request.user, device=device, token=request.POST.get("otp", ""),
                                     at=clock.now())
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "两步验证已启用；以后登录时须输入身份验证器上的动态口令。")
            return _verified(request, device)
    return render(request, "accounts/2fa_enrol.html", {
        "error": error,
        "required": twofactor.role_requires(request.user),
        "secret": twofactor.secret_base32(device),
        "qr": twofactor.qr_data_uri(device),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=200 if not error else 400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """账户安全：两步验证状态；不强制启用的角色可自行启用或停用。"""
    user = request.user
    device = twofactor.confirmed_device(user)
    required = twofactor.role_requires(user)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "disable":
        if required or device is None:
            error = "您的角色必须使用两步验证，不能停用" if required else "尚未启用两步验证"
        else:
            try:
                twofactor.verify(user=user, token=request.POST.get("otp", ""))
            except DomainError as exc:
                error = exc.message
            else:
                twofactor.device_remove(actor=user, user=user, at=clock.now(), reason="本人停用")
                messages.success(request, "已停用两步验证。")
                return redirect("accounts:security")
    return render(request, "accounts/security.html", {
        "device": device, "required": required, "error": error,
    }, status=200 if not error else 400)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "密码已更新。")
        return response
