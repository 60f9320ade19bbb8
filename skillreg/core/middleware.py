"""Request id, access log line and security headers for every response."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from skillreg.core.logging import client_ip_var, request_id_var, user_id_var

access_log = logging.getLogger("skillreg.request")

# A caller's id is kept only when it is short and harmless; anything else gets a fresh one,
# so that nobody can inject text into the logs through the header.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Gives each request an id (``X-Request-ID``), puts it on every log line, and logs the
    request once it is answered (method, path without query string, status, duration)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = [request_id_var.set(request_id), client_ip_var.set(request.META.get("REMOTE_ADDR", ""))]
        user_token = user_id_var.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                user_id_var.set(user.pk)
            access_log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"event": "request", "method": request.method, "path": request.path,
                       "status": response.status_code,
                       "duration_ms": round((time.monotonic() - started) * 1000, 1)},
            )
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
