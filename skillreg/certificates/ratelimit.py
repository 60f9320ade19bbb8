"""A fixed-window rate limit per client address for the public verification (API and page).

The counter lives in Django's cache. With the default local-memory cache each server
process counts on its own; a deployment with several workers sets a shared cache
(database or Redis) in CACHES so the limit holds across them.

On a shared cache each process counts in memory and adds its counts to the shared counters in
one batch every ``SKILLREG_VERIFY_RATE_FLUSH_MS`` (default 50 ms; issue 8, figure 1): a round
trip to the cache on every lookup cost a fifth of the lookup's CPU. A process decides on the
shared count it last read plus its own hits since, so within one process the limit is exact.
An address that reaches a quarter of the limit in one process before those hits are added up
is counted in the shared cache at once, in its request, and decided on the shared count; so
across processes an address gets past the limit by at most a quarter of the limit per other
process (30 a minute, two workers: at most 6 more in its minute, only by bursting within one
interval), while an ordinary address never waits for the cache. ``0`` counts every request in
the shared cache before answering (exact across processes). If the shared cache is
unreachable the counts wait in memory and each process still limits on its own.

Settings (read with getattr, so they can be changed in settings or tests):
``SKILLREG_VERIFY_RATE_LIMIT`` (requests per window, default 30),
``SKILLREG_VERIFY_RATE_WINDOW`` (seconds, default 60) and ``SKILLREG_VERIFY_RATE_FLUSH_MS``.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import close_old_connections
from django.http import HttpRequest

from skillreg.core import clock

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 60
DEFAULT_FLUSH_MS = 50
# An address with limit // SYNC_FRACTION hits not yet added up in one process is counted in the
# shared cache at once (Batcher.hit): the most any process lets it have on a stale count.
SYNC_FRACTION = 4


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
    flush_ms = int(getattr(settings, "SKILLREG_VERIFY_RATE_FLUSH_MS", DEFAULT_FLUSH_MS))
    if flush_ms > 0 and not isinstance(caches["default"], LocMemCache):
        count = _batcher(flush_ms / 1000).hit(key, window + 5, start + window, limit)
    else:
        count = _count(key, window + 5)
    return Verdict(count <= limit, limit, window, max(1, start + window - now))


# INCR creates a missing key at 1, as add(0) then incr() would; the window's first hit sets its expiry.
COUNT_SCRIPT = ("local n = redis.call('INCR', KEYS[1]) "
                "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n")


@functools.lru_cache(maxsize=16)
def _count_script(client: Any) -> Any:
    # EVALSHA with the script's digest (EVAL once if the server has not seen it); one per client
    # (core.cache.RedisCache keeps one client per connection pool).
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


def _add_many(batch: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Add each key's hits to its shared counter (created with its timeout); the new counts."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip for the whole batch. EXPIRE on every flush keeps a counter at most
        # window + 5 s after its last hit; the key names its window, so a later expiry changes nothing.
        keys = [backend.make_and_validate_key(key) for key in batch]
        pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
        for full_key, (hits, timeout) in zip(keys, batch.values(), strict=True):
            pipe.incrby(full_key, hits)
            pipe.expire(full_key, timeout)
        replies = pipe.execute()
        return {key: int(replies[2 * i]) for i, key in enumerate(batch)}
    counts = {}
    for key, (hits, timeout) in batch.items():
        backend.add(key, 0, timeout=timeout)
        try:
            counts[key] = backend.incr(key, hits)
        except ValueError:  # expired between add and incr
            backend.set(key, hits, timeout=timeout)
            counts[key] = hits
    return counts


class Batcher:
    """This process's hits, added to the shared counters every ``interval`` seconds.

    ``interval=None`` starts no thread: ``flush()`` is then called by hand (tests).
    """

    def __init__(self, interval: float | None) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._seen: dict[str, int] = {}  # the shared count at the last flush
        self._ends: dict[str, int] = {}  # when each key's window ends (epoch seconds)
        self._pending: dict[str, tuple[int, int]] = {}  # hits not yet flushed, and the key's timeout
        self._flushing: dict[str, tuple[int, int]] = {}  # hits being flushed
        self._wake = threading.Event()
        self._failures = 0
        if interval is not None:
            threading.Thread(target=self._run, name="skillreg-ratelimit-flush", daemon=True).start()

    def hit(self, key: str, timeout: int, window_end: int, limit: int) -> int:
        """Count one hit; the count the limit is checked against.

        An address with ``limit // SYNC_FRACTION`` hits in this process not yet added up is a
        heavy one: the hits are added now, in this request, and the shared count read back,
        so that no process lets it have more than that on a stale count.
        """
        with self._lock:
            hits = self._pending.get(key, (0, timeout))[0] + 1
            self._pending[key] = (hits, timeout)
            self._ends[key] = window_end
            unflushed = self._flushing.get(key, (0, 0))[0] + hits
            count = self._seen.get(key, 0) + unflushed
        if unflushed >= max(1, limit // SYNC_FRACTION) and count <= limit:
            self.flush()
            with self._lock:
                count = (self._seen.get(key, 0) + self._flushing.get(key, (0, 0))[0]
                         + self._pending.get(key, (0, 0))[0])
        elif not self._wake.is_set():
            self._wake.set()
        return count

    def flush(self) -> None:
        with self._flush_lock:  # the flusher thread and a heavy address's request, one at a time
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
            self._flushing = batch
        if not batch:
            return
        try:
            counts = _add_many(batch)
        except Exception as exc:  # the cache is down: keep the hits, limit on this process's own counts
            # (keys of a batch written in part before the failure are added again: stricter, never looser)
            with self._lock:
                for key, (hits, timeout) in batch.items():
                    self._pending[key] = (self._pending.get(key, (0, timeout))[0] + hits, timeout)
                self._flushing = {}
            self._failures += 1
            if self._failures in (1, 10) or self._failures % 1000 == 0:
                logger.warning("rate-limit counters not shared (%s, %d times); counting per process",
                               type(exc).__name__, self._failures)
            return
        self._failures = 0
        now = int(clock.now().timestamp())
        with self._lock:
            self._seen.update(counts)
            self._flushing = {}
            for key in [key for key, end in self._ends.items() if end <= now and key not in self._pending]:
                del self._ends[key]
                self._seen.pop(key, None)

    def _run(self) -> None:
        interval = self.interval or DEFAULT_FLUSH_MS / 1000
        while True:
            self._wake.wait()  # idle until a hit
            self._wake.clear()
            time.sleep(interval)  # gather the interval's hits into one batch
            try:
                # The database cache's connection belongs to this thread, which no request
                # signal reaches: drop it here when it is broken or past CONN_MAX_AGE.
                close_old_connections()
                self.flush()
            except Exception:  # never let the flusher die
                logger.exception("rate-limit flush failed")


_batchers: dict[tuple[int, float], Batcher] = {}
_batchers_lock = threading.Lock()


def _batcher(interval: float) -> Batcher:
    """This process's batcher (a forked worker starts its own, with its own thread)."""
    key = (os.getpid(), interval)
    batcher = _batchers.get(key)
    if batcher is None:
        with _batchers_lock:
            batcher = _batchers.get(key)
            if batcher is None:
                batcher = _batchers[key] = Batcher(interval)
    return batcher


def reset() -> None:
    """Forget this process's unflushed and remembered counts (tests, with cache.clear())."""
    for batcher in list(_batchers.values()):
        with batcher._lock:
            batcher._seen.clear()
            batcher._pending.clear()
            batcher._ends.clear()
            batcher._flushing.clear()
