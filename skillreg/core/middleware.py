"""Request id, access log line and security headers for every response; the lean path for public lookups."""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, get_resolver
from django.utils.module_loading import import_string

from skillreg.core.db_router import public_reads
from skillreg.core.logging import client_ip_var, request_id_var, user_id_var

access_log = logging.getLogger("skillreg.request")

# A caller's id is kept only when it is short and harmless; anything else gets a fresh one,
# so that nobody can inject text into the logs through the header.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


def request_id_for(incoming: str) -> str:
    """The caller's ``X-Request-ID`` if it is safe to log, else a fresh one."""
    return incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def log_request(method: str | None, path: str, status: int, started: float) -> None:
    """The one access log line of a request (also written by certificates.fastpath)."""
    access_log.info(
        "%s %s %s", method, path, status,
        extra={"event": "request", "method": method, "path": path, "status": status,
               "duration_ms": round((time.monotonic() - started) * 1000, 1)},
    )


class RequestIdMiddleware:
    """Gives each request an id (``X-Request-ID``), puts it on every log line, and logs the
    request once it is answered (method, path without query string, status, duration)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = [request_id_var.set(request_id), client_ip_var.set(request.META.get("REMOTE_ADDR", ""))]
        user_token = user_id_var.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                user_id_var.set(user.pk)
            log_request(request.method, request.path, response.status_code, started)
            response["X-Request-ID"] = request_id
            return response
        finally:
            user_id_var.reset(user_token)
            client_ip_var.reset(tokens[1])
            request_id_var.reset(tokens[0])


class SecurityHeadersMiddleware:
    """Content-Security-Policy (``settings.SKILLREG_CSP``) and a restrictive Permissions-Policy.

    A view that needs a different policy sets its own header; it is left alone.
    """

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "SKILLREG_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response


# --- the lean path for public lookups ---------------------------------------------------------------

# Run for the public lookups instead of the rest of settings.MIDDLEWARE: the host check and
# slash handling (CommonMiddleware) and the framing header (X-Frame-Options). What is skipped
# (sessions, locale, CSRF, authentication, messages, OTP, account security, axes) reads or
# writes the session and the user, which a public GET never has (auth=None, no form).
LEAN_MIDDLEWARE = (
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


@functools.lru_cache(maxsize=4096)
def _resolve(urlconf: str, path: str) -> ResolverMatch:
    # A public path resolves to the same view every time; ~150 patterns are not tried again
    # per request (bench/README.md). Bounded; only successful resolutions are kept.
    return get_resolver(urlconf).resolve(path)


class LeanPublicPathMiddleware:
    """GET/HEAD under ``settings.SKILLREG_LEAN_PATHS`` (default ``/api/v1/public/``): a short chain.

    Placed after the request id, SecurityMiddleware and SecurityHeadersMiddleware, so the
    request id, access log line, HTTPS redirect, HSTS, nosniff, referrer and CSP headers are
    exactly those of any other response; the rate limits run in the views themselves. Reads of
    the public apps inside go to the read replica when one is configured (core.db_router).
    Paths under ``settings.SKILLREG_PUBLIC_READ_PATHS`` (the directory and verification pages)
    keep the full chain but read from the replica too.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.lean_paths = tuple(getattr(settings, "SKILLREG_LEAN_PATHS", ("/api/v1/public/",)))
        self.read_paths = tuple(getattr(settings, "SKILLREG_PUBLIC_READ_PATHS", ()))
        chain: Handler = convert_exception_to_response(self._view)
        for dotted in reversed(LEAN_MIDDLEWARE):
            chain = convert_exception_to_response(import_string(dotted)(chain))
        self.lean = chain

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in ("GET", "HEAD")
        if safe and request.path_info.startswith(self.lean_paths):
            with public_reads():
                return self.lean(request)
        if safe and self.read_paths and request.path_info.startswith(self.read_paths):
            with public_reads():
                return self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _view(request: HttpRequest) -> HttpResponse:
        match = _resolve(settings.ROOT_URLCONF, request.path_info)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
