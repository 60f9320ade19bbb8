"""TOTP codes for tests, computed the way the user's phone does: from the real time.

django-otp verifies against ``time.time()`` (see accounts/twofactor.py for why not the
project clock), so the codes here are computed from the same source.
"""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillreg.accounts.models import User


def enrol(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code for the current 30-second step (or one within the tolerance of 1 step).

    A code is accepted once; a second login in the same test uses ``steps_ahead=1``.
    """
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    if steps_ahead:
        value = totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step,
                     digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"



def let_throttle_pass(device: TOTPDevice) -> None:
    """django-otp waits 2^(n-1) seconds (real time) after n wrong codes; tests do not sleep."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
