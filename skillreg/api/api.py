"""The REST API under /api/v1: one NinjaAPI, one router per app, one error shape.

Every error a client sees is ``{"code": ..., "message": ..., ...}`` with a 4xx status;
a domain rule's refusal also carries the clause (``source``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from skillreg.accounts.api import auth_router
from skillreg.accounts.auth import api_auth
from skillreg.archives.api import router as archives_router
from skillreg.certificates.api import public_router as certificates_public_router
from skillreg.certificates.api import router as certificates_router
from skillreg.core.errors import DomainError
from skillreg.evaluation.api import draws_router
from skillreg.evaluation.api import router as evaluation_router
from skillreg.exams.api import router as exams_router
from skillreg.policies.api import router as policies_router
from skillreg.registry.api import applications_router
from skillreg.registry.api import router as registry_router
from skillreg.registry.lifecycle_api import lifecycle_router
from skillreg.registry.public_api import public_router
from skillreg.supervision.api import public_router as complaints_public_router
from skillreg.supervision.api import router as supervision_router
from skillreg.workdays.api import router as calendar_router

api = NinjaAPI(
    title="职业技能考核评价机构备案与监管平台 API",
    version="1",
    description="接口返回的错误统一为 {code, message}；因政策条款被拒绝时附 source（条款出处）。",
    urls_namespace="api",
    auth=api_auth,
)


def _validation_message(errors: list[dict]) -> str:
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "query", "path"))
        parts.append(f"{loc}：{err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return "；".join(parts) or "请求参数不合法"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "invalid", "message": _validation_message(exc.errors), "errors": exc.errors},
        status=422,
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": "未找到该对象"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录或提供有效的访问令牌"}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"code": "error", "message": str(exc)}, status=exc.status_code
    )


api.add_router("/auth", auth_router)
api.add_router("/policies", policies_router)
api.add_router("/calendar", calendar_router)
api.add_router("/institutions", registry_router)
api.add_router("/applications", applications_router)
api.add_router("/lifecycle", lifecycle_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/draws", draws_router)
api.add_router("/public", public_router)
api.add_router("/supervision", supervision_router)
api.add_router("/exams", exams_router)
api.add_router("/certificates", certificates_router)
api.add_router("/archives", archives_router)
api.add_router("/public/certificates", certificates_public_router)
api.add_router("/public/complaints", complaints_public_router)
