from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from skillreg.accounts.services import token_issue
from skillreg.core import clock

security_log = logging.getLogger("skillreg.security")

auth_router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)
    expires_at: dt.datetime
    username: str
    role: str


class ErrorOut(Schema):
    code: str
    message: str


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def issue_token(request: HttpRequest, body: TokenIn) -> Status:
    """用用户名和密码换取访问令牌（12 小时有效）。连续失败将按账户和来源地址锁定。"""
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "登录失败次数过多，账户或来源地址已被暂时锁定，请 30 分钟后再试")
    if user is None or not user.is_active:
        security_log.info("api token refused for username=%s", body.username[:50])
        return Status(401, {"code": "invalid_credentials", "message": "用户名或密码错误"})
    issued = token_issue(user=user, at=clock.now())  # type: ignore[arg-type]
    return Status(200, {"token": issued.secret, "expires_at": issued.expires_at,
                        "username": user.get_username(), "role": user.role})  # type: ignore[attr-defined]
