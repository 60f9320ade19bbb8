"""API authentication: a bearer token from POST /api/v1/auth/token, or the web session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from skillreg.accounts.models import ApiToken
from skillreg.core import clock


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__authority")
            .filter(digest=ApiToken.digest_of(token), expires_at__gt=clock.now(),
                    user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser session (with CSRF on unsafe methods), for pages that call the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [TokenAuth(), ActiveSessionAuth()]
