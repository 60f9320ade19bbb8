"""A lean WSGI path for the public certificate verification (issue 8, figure 1).

``GET /api/v1/public/certificates/verify`` is the one request the whole country makes. Through
Django it costs about 0.9 ms of CPU in-process, mostly the framework's per-request machinery
(the middleware chain, URL resolution, django-ninja's parameter parsing, validation and response
rendering), against a database round trip of about 0.1 ms. This callable sits in front of
Django's ``WSGIHandler`` (``skillreg/wsgi.py``) and answers exactly that request with the same
parts the endpoint uses, without the machinery:

* the query is read from Django's own ``WSGIRequest`` (same decoding, same last-value-wins as
  ninja's ``parse_querydict``) and checked as ninja checks ``VerifyIn`` (lengths); anything the
  endpoint would refuse before its body runs (a value over its length, too many fields) is left
  to Django, which answers it as it always has;
* the host check, HTTPS redirect and user-agent check are the middlewares' own methods
  (``CommonMiddleware.process_request``, ``SecurityMiddleware.process_request``): whenever they
  would answer or refuse, Django answers instead (400 and its security log line, 301 …);
* the rate limit is ``ratelimit.hit`` on the same request and the same shared cache, so one
  address's count is the same counter whichever path served it, in every worker;
* the lookup is ``selectors.verify`` (the precompiled SQL, masking with ``core.masking``) inside
  ``db_router.public_reads()``, so it reads from the replica alias when one is configured;
* the answer is the endpoint's JSON, byte for byte (the schema's field order, ``ensure_ascii``
  as ninja's renderer), with the headers the lean public middleware chain sets, computed once
  from those middlewares themselves (X-Frame-Options, Content-Length, CSP, Permissions-Policy,
  HSTS on HTTPS, nosniff, Referrer-Policy, COOP), plus the request id;
* the access log line is ``core.middleware.log_request``'s (method, path without the query
  string, status, duration), with the request id and client address on the record as
  ``RequestIdMiddleware`` puts them — never the ID number;
* Django's ``request_started`` / ``request_finished`` signals are sent around each request, so
  database connections are closed or kept per ``CONN_MAX_AGE`` (and after errors) exactly as
  for a request Django serves.

Any other method or path goes to Django untouched. ``SKILLREG_VERIFY_FASTPATH=0`` turns it off
(``wrap`` then returns Django's handler itself). ``certificates/tests/test_fastpath.py`` holds
both paths to the same status, body and headers for a table of requests.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from http.client import responses
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from skillreg.certificates import selectors as sel
from skillreg.certificates.api import NOT_FOUND, SEVERAL, VerifiedOut, VerifyIn
from skillreg.certificates.ratelimit import hit
from skillreg.core.db_router import public_reads
from skillreg.core.errors import DomainError
from skillreg.core.logging import client_ip_var, request_id_var, user_id_var
from skillreg.core.middleware import SecurityHeadersMiddleware, log_request, request_id_for

logger = logging.getLogger(__name__)

PATH = "/api/v1/public/certificates/verify"
# certificates.api.VerifyIn: the fields and their max_length, as ninja validates them (read off
# the schema, so the two cannot drift apart).
MAX_LENGTHS = {name: next(m.max_length for m in field.metadata if hasattr(m, "max_length"))
               for name, field in VerifyIn.model_fields.items()}
CONTENT_TYPE = "application/json; charset=utf-8"  # ninja's JSONRenderer
# The keys of certificates.api.VerifiedOut, in its order (ninja dumps the schema's fields in order).
_VERIFIED_KEYS = tuple(VerifiedOut.model_fields)

NOT_FOUND_BODY = json.dumps(NOT_FOUND).encode()
SEVERAL_BODY = json.dumps(SEVERAL).encode()

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _dumps(data: dict[str, Any]) -> bytes:
    # ninja's JSONRenderer: json.dumps with its defaults (ASCII, ", " and ": ").
    return json.dumps(data).encode()


class _Fallthrough(Exception):
    """Django answers this request."""


class _Body(list):  # type: ignore[type-arg]
    """The response body; closing it ends the request as HttpResponse.close() does."""

    def close(self) -> None:
        signals.request_finished.send(sender=WSGIHandler)


class VerifyFastPath:
    def __init__(self, django: WSGIApp) -> None:
        self.django = django
        # The lean chain's request-side checks, run as Django runs them (core.middleware.LEAN_MIDDLEWARE).
        self.common = CommonMiddleware(_no_view)
        self.security = SecurityMiddleware(_no_view)
        self.enabled = _applies()
        self._headers: dict[bool, list[tuple[str, str]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (not self.enabled or environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET"):
            return self.django(environ, start_response)
        started = time.monotonic()
        try:
            request, params = self._prepare(environ)
        except _Fallthrough:
            return self.django(environ, start_response)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        # The context RequestIdMiddleware gives every log line of a request.
        tokens = (request_id_var.set(request_id), client_ip_var.set(environ.get("REMOTE_ADDR", "")),
                  user_id_var.set(None))
        try:
            try:
                status, body, retry_after = self._answer(request, params)
            except Exception as exc:
                # Anything unexpected (the database down…): Django answers and logs it as it
                # would have (500 page, django.request error); the address was counted once more.
                logger.warning("fast path: %s, answered by Django", type(exc).__name__)
                answered = False
            else:
                answered = True
                log_request("GET", request.path, status, started)
        finally:
            user_id_var.reset(tokens[2])
            client_ip_var.reset(tokens[1])
            request_id_var.reset(tokens[0])
        if not answered:
            signals.request_finished.send(sender=WSGIHandler)
            return self.django(environ, start_response)
        headers = list(self._headers_for(request.is_secure()))
        headers[2] = ("Content-Length", str(len(body)))
        if retry_after is not None:
            headers.insert(1, ("Retry-After", retry_after))
        headers.append(("X-Request-ID", request_id))
        start_response(f"{status} {responses.get(status, 'Unknown Status Code')}", headers)
        return _Body((body,))

    def _prepare(self, environ: dict[str, Any]) -> tuple[WSGIRequest, dict[str, str]]:
        try:
            request = WSGIRequest(environ)
            # Host (ALLOWED_HOSTS), user agents, www, then the HTTPS redirect: any answer or refusal is Django's.
            if self.common.process_request(request) is not None or self.security.process_request(request) is not None:
                raise _Fallthrough
            query = request.GET
            params = {key: query[key] for key in MAX_LENGTHS if key in query}
        except _Fallthrough:
            raise
        except Exception as exc:  # DisallowedHost, TooManyFieldsSent, …: Django's answer and log
            raise _Fallthrough from exc
        if any(len(value) > MAX_LENGTHS[key] for key, value in params.items()):
            raise _Fallthrough  # ninja's 422 (with pydantic's details) before the view runs
        return request, params

    @staticmethod
    def _answer(request: WSGIRequest, params: dict[str, str]) -> tuple[int, bytes, str | None]:
        """certificates.api.verify, step for step."""
        verdict = hit(request)
        if not verdict.allowed:
            return 429, _dumps({"code": "rate_limited", "message": verdict.message, "limit": verdict.limit,
                                "window_seconds": verdict.window,
                                "retry_after": verdict.retry_after}), str(verdict.retry_after)
        try:
            with public_reads():
                found = sel.verify(number=params.get("number"), id_number=params.get("id_number"),
                                   name=params.get("name"))
        except sel.NotFound:
            return 404, NOT_FOUND_BODY, None
        except sel.SeveralCertificates:
            return 409, SEVERAL_BODY, None
        except DomainError as exc:  # skillreg.api.on_domain_error
            return exc.status, _dumps(exc.as_dict()), None
        data = {key: getattr(found, key) for key in _VERIFIED_KEYS}
        data["issued_on"] = data["issued_on"].isoformat()  # DjangoJSONEncoder's date
        return 200, _dumps(data), None

    def _headers_for(self, secure: bool) -> list[tuple[str, str]]:
        """The lean chain's response headers, from the middlewares themselves, once per scheme.

        Content-Type first, Content-Length third (a placeholder), as Django orders them.
        """
        headers = self._headers.get(secure)
        if headers is None:
            request = HttpRequest()
            request.is_secure = lambda: secure  # type: ignore[method-assign]
            response: Any = HttpResponse(b"", content_type=CONTENT_TYPE)
            # Innermost first, as the response travels: the lean chain, then the outer middleware.
            response = XFrameOptionsMiddleware(lambda r: response)(request)
            response = self.common.process_response(request, response)
            response = SecurityHeadersMiddleware(lambda r: response)(request)
            response = self.security.process_response(request, response)
            headers = self._headers[secure] = list(response.items())
            if headers[0][0] != "Content-Type" or headers[2][0] != "Content-Length":
                raise RuntimeError(f"unexpected header order: {headers}")
        return headers


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the fast path's middleware instances are used for their hooks only")


def _applies() -> bool:
    """Only where Django would serve PATH through the lean public chain this module mirrors."""
    middleware = list(settings.MIDDLEWARE)
    lean = tuple(getattr(settings, "SKILLREG_LEAN_PATHS", ()))
    return (PATH.startswith(lean) and lean != ()
            and "skillreg.core.middleware.LeanPublicPathMiddleware" in middleware
            and "skillreg.core.middleware.RequestIdMiddleware" in middleware
            and "django.middleware.security.SecurityMiddleware" in middleware
            and "skillreg.core.middleware.SecurityHeadersMiddleware" in middleware)


def wrap(django: WSGIApp) -> WSGIApp:
    """The WSGI application: the fast path in front of Django, or Django alone when switched off."""
    if not getattr(settings, "SKILLREG_VERIFY_FASTPATH", True):
        return django
    return VerifyFastPath(django)
