from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from skillreg.accounts import twofactor
from skillreg.accounts.services import token_issue
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.core.logging import security_event

auth_router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str
    # The authenticator's current code: required once the account has two-factor login.
    otp: str | None = None


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)
    expires_at: dt.datetime
    username: str
    role: str


class ErrorOut(Schema):
    code: str
    message: str


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut})
def issue_token(request: HttpRequest, body: TokenIn) -> Status:
    """用用户名和密码换取访问令牌（12 小时有效）。连续失败将按账户和来源地址锁定。

    已启用两步验证的账户须同时提供 otp（身份验证器上的 6 位动态口令）；必须启用两步验证的
    角色在网页上完成绑定之前不能申请令牌。
    """
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "登录失败次数过多，账户或来源地址已被暂时锁定，请 30 分钟后再试")
    if user is None or not user.is_active:
        security_event("api_token_refused", username=body.username[:50], reason="credentials")
        return Status(401, {"code": "invalid_credentials", "message": "用户名或密码错误"})
    if twofactor.confirmed_device(user) is not None:
        if not body.otp:
            security_event("api_token_refused", username=user.get_username(), reason="otp_missing")
            return Status(401, {"code": "otp_required",
                                "message": "该账户已启用两步验证，请在 otp 字段中提供身份验证器上的 6 位动态口令"})
        try:
            twofactor.verify(user=user, token=body.otp)
        except DomainError as exc:
            return Status(401, {"code": exc.code, "message": exc.message})
    elif twofactor.role_requires(user):
        security_event("api_token_refused", username=user.get_username(), reason="otp_not_enrolled")
        return Status(403, {"code": "otp_enrolment_required",
                            "message": "该账户须使用两步验证：请先在网页登录并绑定身份验证器，再申请接口令牌"})
    issued = token_issue(user=user, at=clock.now())  # type: ignore[arg-type]
    return Status(200, {"token": issued.secret, "expires_at": issued.expires_at,
                        "username": user.get_username(), "role": user.role})  # type: ignore[attr-defined]
