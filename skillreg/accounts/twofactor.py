"""Two-factor login: a TOTP authenticator (django-otp) after the password.

Who must: the roles in ``settings.SKILLREG_2FA_ROLES`` (officials, the administrator and
the pool roles that see candidates' data). Anyone else may opt in; once a user has a
confirmed device, the code is asked of them too, on the web and at the token endpoint.

Time: TOTP codes are computed by the user's phone from the real time, so verification
uses the real time as well (django-otp reads ``time.time()``), never the project clock,
which training environments shift on purpose.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.core.logging import security_event

# Session key: a login that needs no second factor in this session (the test client's
# force_login; see signals.mark_synthetic_login).
EXEMPT_SESSION_KEY = "skillreg_2fa_exempt"
DEVICE_NAME = "身份验证器"


def role_requires(user: Any) -> bool:
    return getattr(user, "role", None) in settings.SKILLREG_2FA_ROLES


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def requires_second_factor(user: Any) -> bool:
    """Does this user need a verified second factor before doing anything?"""
    return role_requires(user) or confirmed_device(user) is not None


def session_is_verified(request: Any) -> bool:
    user = request.user
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return True
    return bool(request.session.get(EXEMPT_SESSION_KEY))


def enrolment_device(*, user: Any) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one, or a new one with a fresh key."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app (groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG data URI: drawn here, no external service, no script."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _clean_token(token: str) -> str:
    cleaned = (token or "").strip().replace(" ", "")
    if not cleaned:
        raise InvalidInput("请输入身份验证器上显示的 6 位动态口令", field="otp", code="otp_required")
    if not (cleaned.isdigit() and len(cleaned) == 6):
        raise InvalidInput("动态口令应为 6 位数字", field="otp", code="otp_invalid")
    return cleaned


@transaction.atomic
def device_confirm(*, user: Any, device: TOTPDevice, token: str, at: dt.datetime) -> TOTPDevice:
    """Enrolment ends when the user proves the app computes the same codes."""
    if device.user_id != user.pk or device.confirmed:
        raise DomainError("该验证器不属于当前账户或已启用", code="forbidden")
    if confirmed_device(user) is not None:
        raise DomainError("该账户已启用两步验证；如需更换验证器，请联系系统管理员重置", code="already_enrolled")
    if not device.verify_token(_clean_token(token)):
        security_event("otp_enrol_failed", level=logging.WARNING, username=user.get_username())
        raise InvalidInput("动态口令不正确，请核对手机时间并输入最新的 6 位口令", field="otp", code="otp_invalid")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    audit.record(actor=user, action="accounts.2fa_enrolled", obj=user, at=at,
                 summary="启用两步验证（TOTP）")
    security_event("otp_enrolled", username=user.get_username())
    return device


def verify(*, user: Any, token: str) -> TOTPDevice:
    """The user's confirmed device that accepts ``token``; InvalidInput otherwise."""
    device = confirmed_device(user)
    if device is None:
        raise DomainError("该账户尚未启用两步验证", code="otp_not_enrolled")
    cleaned = _clean_token(token)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        security_event("otp_throttled", level=logging.WARNING, username=user.get_username())
        raise InvalidInput("动态口令错误次数过多，请稍后再试", field="otp", code="otp_throttled")
    if not device.verify_token(cleaned):
        security_event("otp_failed", level=logging.WARNING, username=user.get_username())
        raise InvalidInput("动态口令不正确或已使用过，请输入身份验证器上最新的 6 位口令",
                           field="otp", code="otp_invalid")
    security_event("otp_verified", username=user.get_username())
    return device


@transaction.atomic
def device_remove(*, actor: Any, user: Any, at: dt.datetime, reason: str) -> int:
    """Remove the user's authenticators (lost phone; or an opt-in user turning it off)."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="accounts.2fa_removed", obj=user, at=at,
                 summary=f"停用两步验证：{reason}"[:500])
    security_event("otp_removed", username=user.get_username(),
                   by=actor.get_username() if actor is not None else "system", reason=reason)
    return removed
