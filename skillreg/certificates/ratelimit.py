"""A fixed-window rate limit per client address for the public verification (API and page).

The counter lives in Django's cache. With the default local-memory cache each server
process counts on its own; a deployment with several workers sets a shared cache
(database or Redis) in CACHES so the limit holds across them.

Settings (read with getattr, so they can be changed in settings or tests):
``SKILLREG_VERIFY_RATE_LIMIT`` (requests per window, default 30) and
``SKILLREG_VERIFY_RATE_WINDOW`` (seconds, default 60).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from skillreg.core import clock

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    window: int
    retry_after: int

    @property
    def message(self) -> str:
        return (f"查验过于频繁：每个网络地址每 {self.window} 秒最多查验 {self.limit} 次，"
                f"请 {self.retry_after} 秒后再试")


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client writes. Behind a reverse
    # proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(request: HttpRequest, *, bucket: str = "certverify") -> Verdict:
    """Count this request against its address; say whether it may proceed."""
    limit = int(getattr(settings, "SKILLREG_VERIFY_RATE_LIMIT", DEFAULT_LIMIT))
    window = int(getattr(settings, "SKILLREG_VERIFY_RATE_WINDOW", DEFAULT_WINDOW))
    now = int(clock.now().timestamp())
    start = now - now % window
    key = f"{bucket}:{client_address(request)}:{start}"
    count = _count(key, window + 5)
    return Verdict(count <= limit, limit, window, max(1, start + window - now))


# INCR creates a missing key at 1, as add(0) then incr() would; the window's first hit sets its expiry.
COUNT_SCRIPT = ("local n = redis.call('INCR', KEYS[1]) "
                "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n")


@functools.lru_cache(maxsize=16)
def _count_script(client: Any) -> Any:
    # EVALSHA with the script's digest (EVAL once if the server has not seen it); one per client.
    return client.register_script(COUNT_SCRIPT)


def _count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (created at 0 with ``timeout``); the new count."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Issue 8 (figure 1): Django's add() then incr() is three round trips to Redis (SET NX,
        # EXISTS, INCRBY). One script is one round trip and one reply, atomic, on the very key
        # add() and incr() use, and the value is the plain integer Django stores for ints, so a
        # counter written either way is one counter.
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        return int(_count_script(client)(keys=[full_key], args=[timeout]))
    # add() is atomic where the backend is (memcached, database); then incr().
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
