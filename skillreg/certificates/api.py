"""/api/v1/certificates (signed in) and /api/v1/public/certificates/verify (no login)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from skillreg.certificates import selectors as sel
from skillreg.certificates import services as svc
from skillreg.certificates.approval import find_sitting
from skillreg.certificates.links import verify_url
from skillreg.certificates.models import Certificate
from skillreg.certificates.pdf import render_certificate_pdf
from skillreg.certificates.ratelimit import hit
from skillreg.core import clock
from skillreg.core.errors import DomainError

router = Router(tags=["证书"])
public_router = Router(tags=["证书公开查验"])

NOT_FOUND = {"code": "not_found", "message": "未找到该证书"}
SEVERAL = {"code": "number_required",
           "message": "该身份证号码和姓名下有多本证书，请输入证书编号查验"}


class ErrorOut(Schema):
    code: str
    message: str


class RateLimitedOut(ErrorOut):
    limit: int
    window_seconds: int
    retry_after: int


class VerifyIn(Schema):
    number: str | None = Field(None, max_length=40, description="证书编号")
    id_number: str | None = Field(None, max_length=30, description="身份证号码（须与姓名同时提供）")
    name: str | None = Field(None, max_length=60, description="姓名（须与身份证号码同时提供）")


class VerifiedOut(Schema):
    """Only what a verifier needs: never the full ID, never another certificate."""

    holder_name: str
    id_number_masked: str = Field(description="身份证号码（前 6 位和后 4 位）")
    occupation: str = Field(description="职业（工种）或项目")
    level: int | None
    level_label: str
    issuer: str = Field(description="发证机构")
    issued_on: dt.date
    status: str = Field(description="valid 有效 / revoked 已撤销")
    status_label: str


@public_router.get("/verify", auth=None, summary="证书查验（无需登录）",
                   response={200: VerifiedOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: RateLimitedOut})
def verify(request: HttpRequest, params: Query[VerifyIn], response: HttpResponse) -> Any:
    """按证书编号（number），或按身份证号码加姓名（id_number + name，二者须同时提供）查验一本证书。

    只返回持证人姓名、打码的身份证号码（前 6 后 4）、职业（工种）或项目、等级、发证机构、发证日期和状态
    （有效/已撤销）。查不到与姓名不符一律返回 404“未找到该证书”。一人持有多本证书时按身份证号码查验返回
    409，须改用证书编号。每个网络地址有频率限制，超过时返回 429 并说明限额，附 Retry-After。
    """
    verdict = hit(request)
    if not verdict.allowed:
        response["Retry-After"] = str(verdict.retry_after)
        return Status(429, {"code": "rate_limited", "message": verdict.message, "limit": verdict.limit,
                     "window_seconds": verdict.window, "retry_after": verdict.retry_after})
    try:
        return Status(200, sel.verify(number=params.number, id_number=params.id_number, name=params.name))
    except sel.NotFound:
        return Status(404, NOT_FOUND)
    except sel.SeveralCertificates:
        return Status(409, SEVERAL)


# --- signed in ----------------------------------------------------------------------------


class CertificateOut(Schema):
    id: uuid.UUID
    number: str
    kind: str
    holder_name: str
    id_number_masked: str
    occupation: str
    level: int | None
    issuer: str
    issued_on: dt.date
    status: str
    revoked_at: dt.datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_id(obj: Certificate) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_id_number_masked(obj: Certificate) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_issuer(obj: Certificate) -> str:
        return obj.issuer_name


class CertificateListOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[CertificateOut]


class PageIn(Schema):
    limit: int = Field(sel.PAGE_SIZE, ge=1, le=200)
    offset: int = Field(0, ge=0)
    q: str = Field("", max_length=40, description="证书编号或姓名")


class FullIdOut(Schema):
    id_number: str


class HolderIn(Schema):
    name: str = Field(max_length=60)
    id_number: str = Field(max_length=30)


class IssueIn(Schema):
    sitting: str = Field(max_length=100, description="考核批次（考务模块中的编号）")
    occupation: str = Field(max_length=100)
    level: int | None = Field(None, ge=1, le=5, description="职业技能等级证书的等级；专项职业能力证书不填")
    holders: list[HolderIn] = Field(min_length=1, max_length=svc.MAX_BATCH)


class RevokeIn(Schema):
    reason: str = Field(max_length=500)


def _search(qs: Any, q: str) -> Any:
    q = q.strip()
    if not q:
        return qs
    return qs.filter(number=q.upper()) if q[:1].isalnum() and q.isascii() else qs.filter(holder_name=q)


@router.get("", response=CertificateListOut, summary="本机构或本辖区的证书")
def list_certificates(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """机构用户：本机构发放的证书；经办/审批人员：本辖区机构发放的证书。身份证号码一律打码。"""
    qs = _search(sel.certificates_visible_to(request.user), page.q)
    return {"total": qs.count(), "limit": page.limit, "offset": page.offset,
            "items": list(qs[page.offset:page.offset + page.limit])}


@router.get("/{uuid:public_id}", response={200: CertificateOut, 404: ErrorOut})
def get_certificate(request: HttpRequest, public_id: uuid.UUID) -> Certificate:
    return sel.certificate_for(request.user, public_id)


@router.get("/{uuid:public_id}/id-number", response={200: FullIdOut, 403: ErrorOut, 404: ErrorOut},
            summary="查看完整身份证号码（留痕）")
def get_full_id(request: HttpRequest, public_id: uuid.UUID) -> dict[str, str]:
    """仅发证机构和辖区经办/审批人员可查看；每次查看写入审计日志（certificates.id_viewed）。"""
    cert = sel.certificate_for(request.user, public_id)
    return {"id_number": svc.certificate_full_id(actor=request.user, certificate=cert, purpose="接口",
                                                 at=clock.now())}


@router.get("/{uuid:public_id}/pdf", response={200: None, 403: ErrorOut, 404: ErrorOut}, summary="证书 PDF")
def get_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """证书上印有完整身份证号码：仅发证机构和辖区官员可下载，每次下载留痕。"""
    cert = sel.certificate_for(request.user, public_id)
    svc.certificate_full_id(actor=request.user, certificate=cert, purpose="下载证书PDF", at=clock.now())
    response = HttpResponse(render_certificate_pdf(cert, verify_url=verify_url(cert.number, request)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/issue", response={201: list[CertificateOut], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                 422: ErrorOut}, summary="发放证书")
def issue(request: HttpRequest, payload: IssueIn) -> Status:
    """为考核合格人员发证：须考核成绩已经审核（及公示期满，如设置）；编号连续不跳号。"""
    user: Any = request.user
    if user.institution is None:
        raise svc.NotAllowed("只有机构用户可以发证")
    sitting = find_sitting(institution=user.institution, key=payload.sitting)
    if sitting is None:
        raise DomainError("未找到该考核批次，或考务模块尚未提供批次信息", code="sitting_not_found")
    created = svc.certificates_issue(
        actor=user, institution=user.institution, sitting=sitting, occupation=payload.occupation,
        level=payload.level, holders=[svc.Holder(h.name, h.id_number) for h in payload.holders], at=clock.now(),
    )
    return Status(201, created)


@router.post("/{uuid:public_id}/revoke", response={200: CertificateOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                              422: ErrorOut}, summary="撤销（追缴）证书")
def revoke(request: HttpRequest, public_id: uuid.UUID, payload: RevokeIn) -> Certificate:
    """002 第二十六条：追缴违规发放的证书。撤销后查验显示“已撤销”。"""
    cert = sel.certificate_for(request.user, public_id)
    return svc.certificate_revoke(actor=request.user, certificate=cert, reason=payload.reason, at=clock.now())
