"""What a logged-in session must satisfy before any view runs.

1. Idle timeout: an official's session ends after ``SKILLREG_IDLE_TIMEOUT_MINUTES`` without
   a request (等保三级 会话超时); the session's own expiry, renewed at most once a minute.
2. Second factor: a user who needs one (``twofactor.requires_second_factor``) and has not
   given it in this session is sent to the code page, or to enrolment if they have no
   authenticator yet. On the API such a session counts as not logged in at all.
3. Password age: only when ``SKILLREG_PASSWORD_MAX_AGE_DAYS`` is set.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from skillreg.accounts import twofactor
from skillreg.core import clock
from skillreg.core.logging import security_event, user_id_var

Handler = Callable[[HttpRequest], HttpResponse]

# The idle expiry is renewed at most this often (seconds of real time); the session keeps when.
RENEW_EVERY = 60
RENEWED_KEY = "_skillreg_idle_renewed"


def idle_limit(user: object) -> dt.timedelta | None:
    if getattr(user, "role", None) in settings.SKILLREG_IDLE_TIMEOUT_ROLES:
        return dt.timedelta(minutes=settings.SKILLREG_IDLE_TIMEOUT_MINUTES)
    return None


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class AccountSecurityMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        user_id_var.set(user.pk)
        self._renew_idle_expiry(request)
        if twofactor.requires_second_factor(user) and not twofactor.session_is_verified(request):
            refused = self._second_factor(request)
            if refused is not None:
                return refused
        elif (aged := self._password_aged(request)) is not None:
            return aged
        return self.get_response(request)

    # 1. idle timeout
    def _renew_idle_expiry(self, request: HttpRequest) -> None:
        """Rolling expiry: an official's session is saved with a 30-minute life at most once a
        minute (``RENEW_EVERY``), so the stored session and its cookie lapse 29-30 minutes after
        the last request, never later. Saving on every request cost every page three statements
        (bench/README.md, figure 5).

        The session store counts real time (as the browser does), not the project clock:
        a training scenario that jumps the clock forward must not log everyone out.
        """
        limit = idle_limit(request.user)
        if limit is None:
            return
        now = time.time()
        renewed = request.session.get(RENEWED_KEY)
        if isinstance(renewed, int | float) and 0 <= now - renewed < RENEW_EVERY:
            return
        request.session.set_expiry(int(limit.total_seconds()))
        request.session[RENEWED_KEY] = now

    # 2. second factor
    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        verify_url, enrol_url = _url("accounts:2fa-verify"), _url("accounts:2fa-enrol")
        logout_url = _url("web:logout")
        if verify_url is None or enrol_url is None:
            # Fail closed: without the pages nobody who needs a second factor gets in.
            security_event("2fa_pages_missing", level=40)
            return HttpResponse("两步验证页面未配置（skillreg.accounts.urls 未挂载），请联系系统管理员。",
                                status=503, content_type="text/plain; charset=utf-8")
        if request.path in (verify_url, enrol_url, logout_url):
            return None
        if request.path.startswith("/api/"):
            # Half logged in is not logged in: protected endpoints answer 401 as for anyone.
            request.user = AnonymousUser()
            return None
        target = verify_url if twofactor.confirmed_device(request.user) is not None else enrol_url
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    # 3. password age (off unless the operator sets it)
    def _password_aged(self, request: HttpRequest) -> HttpResponse | None:
        max_days = settings.SKILLREG_PASSWORD_MAX_AGE_DAYS
        if not max_days or request.path.startswith("/api/"):
            return None
        user = request.user
        changed = user.password_changed_at or user.date_joined
        if clock.now() - changed <= dt.timedelta(days=max_days):
            return None
        change_url = _url("accounts:password-change")
        if change_url is None or request.path in (change_url, _url("web:logout")):
            return None
        messages.warning(request, f"密码已超过 {max_days} 天未更换，请先设置新密码。")
        return HttpResponseRedirect(change_url)
