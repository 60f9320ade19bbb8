"""Every login, failed login, lockout and logout goes to the security log.

Only the username and the client address are written: never the password (Django hands
the credentials to ``user_login_failed``; they are not read here).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from skillreg.accounts import twofactor
from skillreg.core.logging import security_event


def _ip(request: Any) -> str:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="skillreg_security_login")
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and request.method is None:
        mark_synthetic_login(request)
        return
    security_event("login", username=user.get_username(), role=getattr(user, "role", ""),
                   ip=_ip(request), second_factor_required=twofactor.requires_second_factor(user))


def mark_synthetic_login(request: Any) -> None:
    """The test client's ``force_login`` builds an ``HttpRequest()`` with no method and no
    credentials; no request that reaches the server through WSGI looks like that. Such a
    session is trusted as if the second factor had been given, so tests of other apps that
    log users in directly keep working; the real flow is tested through ``/login/``.
    """
    if getattr(request, "session", None) is not None:
        request.session[twofactor.EXEMPT_SESSION_KEY] = True


@receiver(user_login_failed, dispatch_uid="skillreg_security_login_failed")
def log_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    security_event("login_failed", level=logging.WARNING, username=username, ip=_ip(request),
                   path=getattr(request, "path", ""))


@receiver(user_locked_out, dispatch_uid="skillreg_security_locked_out")
def log_locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None,
                   **kwargs: Any) -> None:
    security_event("login_locked_out", level=logging.WARNING, username=(username or "")[:150],
                   ip=ip_address or "", path=getattr(request, "path", ""))


@receiver(user_logged_out, dispatch_uid="skillreg_security_logout")
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        security_event("logout", username=user.get_username(), ip=_ip(request))
