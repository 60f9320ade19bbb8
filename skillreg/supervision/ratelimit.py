"""A fixed-window counter per client address in Django's cache, for the public endpoints.

Settings: ``SKILLREG_COMPLAINT_RATE`` (submissions per window, default 5) and
``SKILLREG_COMPLAINT_RATE_WINDOW`` (seconds, default 3600); tracking look-ups allow ten
times as many. With the default LocMemCache the count is per process; production should
configure a shared cache (``CACHES``) so that every worker counts together.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from skillreg.core.errors import DomainError


class RateLimited(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__("提交过于频繁，请稍后再试", code="rate_limited")


def client_key(request: HttpRequest) -> str:
    # Hashed: the cache never holds a raw address.
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def limits(bucket: str) -> tuple[int, int]:
    rate = int(getattr(settings, "SKILLREG_COMPLAINT_RATE", 5))
    window = int(getattr(settings, "SKILLREG_COMPLAINT_RATE_WINDOW", 3600))
    return (rate * 10 if bucket == "track" else rate), window


def check(request: HttpRequest, bucket: str) -> None:
    """Count one attempt; raise ``RateLimited`` once the window's allowance is used up."""
    limit, window = limits(bucket)
    key = f"supervision:rl:{bucket}:{client_key(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
        raise RateLimited
