from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = "登录失败次数过多，账户或来源地址已被暂时锁定，请 30 分钟后再试。"


def lockout_response(request: HttpRequest, response: Any = None,
                     credentials: Any = None) -> HttpResponse:
    """django-axes calls this when a login is refused for too many failures."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": LOCKOUT_MESSAGE}, status=429)
    return render(request, "accounts/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)
