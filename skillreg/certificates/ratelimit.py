"""A fixed-window rate limit per client address for the public verification (API and page).

The counter lives in Django's cache. With the default local-memory cache each server
process counts on its own; a deployment with several workers sets a shared cache
(database or Redis) in CACHES so the limit holds across them.

On Redis each process counts in memory and adds its counts to the shared counters in one
pipelined batch every ``SKILLREG_VERIFY_RATE_FLUSH_MS`` (default 50 ms; issue 8, figure 1): a
round trip per lookup cost a fifth of the lookup's CPU. A process decides on the shared count it
last read for the address plus its own hits since, so within one process the limit is exact.
An address with a quarter of the limit not yet added up in a process is added up at once, in
its request, and decided on the shared count. What an address can get past the limit is
therefore at most ``limit // 4 - 1`` for each process that serves it within the window (a
worker replaced after ``--max-requests`` is a new process), plus what a killed process had not
added up: with 30 a minute and two workers, at most 12 more in a minute.
Limits under 8 are counted in the shared cache on every hit, exactly. ``0`` counts every
lookup in the shared cache before it is answered. If Redis is unreachable the counts wait in
memory, each process limits on its own, and no request waits for Redis for 5 s.

The database cache is not batched: Django's ``incr`` there is a read and a write, and two
processes adding batches at once would lose one of them; it counts every lookup as before.

Settings (read with getattr, so they can be changed in settings or tests):
``SKILLREG_VERIFY_RATE_LIMIT`` (requests per window, default 30),
``SKILLREG_VERIFY_RATE_WINDOW`` (seconds, default 60) and ``SKILLREG_VERIFY_RATE_FLUSH_MS``.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
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
    if flush_ms > 0 and isinstance(caches["default"], RedisCache):
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
    """Add each key's hits to its shared Redis counter (created with its timeout); the new counts.

    One round trip for the batch. INCRBY is atomic, so batches of several processes add up.
    EXPIRE on every flush keeps a counter at most window + 5 s after its last hit; the key names
    its window, so a later expiry changes nothing. A key Redis refuses (another type stored
    under it) is left out and logged; a failed round trip raises, and the caller keeps the hits.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        raise TypeError("only counters on Redis are added up in batches")
    keys = [backend.make_and_validate_key(key) for key in batch]
    pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
    for full_key, (hits, timeout) in zip(keys, batch.values(), strict=True):
        pipe.incrby(full_key, hits)
        pipe.expire(full_key, timeout)
    replies = pipe.execute(raise_on_error=False)
    counts = {}
    for key, reply in zip(batch, replies[::2], strict=True):  # INCRBY's replies; EXPIRE's between
        if isinstance(reply, Exception):
            logger.warning("rate-limit counter refused by the cache (%s)", type(reply).__name__)
        else:
            counts[key] = int(reply)
    return counts


BACKOFF_SECONDS = 5.0  # after a failed flush: requests decide on their own counts for this long


class Batcher:
    """This process's hits, added to the shared counters every ``interval`` seconds.

    ``interval=None`` starts no thread: ``flush()`` is then called by hand (tests).
    """

    def __init__(self, interval: float | None) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._seen: dict[str, int] = {}  # the shared count at this process's last flush of the key
        self._ends: dict[str, int] = {}  # when each key's window ends (epoch seconds)
        self._pending: dict[str, tuple[int, int]] = {}  # hits not yet flushed, and the key's timeout
        self._flushing: dict[str, tuple[int, int]] = {}  # hits being flushed
        self._wake = threading.Event()
        self._failures = 0
        self._retry_at = 0.0  # monotonic; before it, no request flushes (the cache just failed)
        if interval is not None:
            threading.Thread(target=self._run, name="skillreg-ratelimit-flush", daemon=True).start()

    def _count(self, key: str) -> int:
        return (self._seen.get(key, 0) + self._flushing.get(key, (0, 0))[0]
                + self._pending.get(key, (0, 0))[0])

    def hit(self, key: str, timeout: int, window_end: int, limit: int) -> int:
        """Count one hit; the count the limit is checked against.

        An address with ``limit // SYNC_FRACTION`` hits in this process not yet added up is a
        heavy one: its hits are added now, in this request, and the shared count read back.
        """
        with self._lock:
            hits = self._pending.get(key, (0, timeout))[0] + 1
            self._pending[key] = (hits, timeout)
            self._ends[key] = window_end
            unflushed = self._flushing.get(key, (0, 0))[0] + hits
            count = self._seen.get(key, 0) + unflushed
        if (unflushed >= max(1, limit // SYNC_FRACTION) and count <= limit
                and time.monotonic() >= self._retry_at):
            self.flush(only=key)
            with self._lock:
                count = self._count(key)
        elif not self._wake.is_set():
            self._wake.set()
        return count

    def flush(self, only: str | None = None) -> None:
        """Add the pending hits (of every key, or of ``only``) to the shared counters."""
        with self._flush_lock:  # the flusher thread and a heavy address's request, one at a time
            self._flush(only)

    def _flush(self, only: str | None) -> None:
        with self._lock:
            if only is None:
                batch, self._pending = self._pending, {}
            else:
                batch = {only: self._pending.pop(only)} if only in self._pending else {}
            self._flushing = batch
        if not batch:
            return
        try:
            counts = _add_many(batch)
        except Exception as exc:  # Redis is down: keep the hits, limit on this process's own counts
            # (keys of a batch written in part before the failure are added again: stricter, never looser)
            self._retry_at = time.monotonic() + BACKOFF_SECONDS
            with self._lock:
                for key, (hits, timeout) in batch.items():
                    self._pending[key] = (self._pending.get(key, (0, timeout))[0] + hits, timeout)
                self._flushing = {}
                self._forget_ended(including_pending=True)
            self._failures += 1
            if self._failures in (1, 10) or self._failures % 1000 == 0:
                logger.warning("rate-limit counters not shared (%s, %d times); counting per process",
                               type(exc).__name__, self._failures)
            return
        self._failures = 0
        with self._lock:
            self._seen.update(counts)
            self._flushing = {}
            self._forget_ended(including_pending=False)

    def _forget_ended(self, *, including_pending: bool) -> None:
        """Drop the counts of windows that have ended (under ``_lock``)."""
        now = int(clock.now().timestamp())
        for key in [key for key, end in self._ends.items() if end <= now]:
            if key in self._pending and not including_pending:
                continue
            del self._ends[key]
            self._seen.pop(key, None)
            self._pending.pop(key, None)

    def _run(self) -> None:
        interval = self.interval or DEFAULT_FLUSH_MS / 1000
        while True:
            self._wake.wait()  # idle until a hit
            self._wake.clear()
            time.sleep(interval)  # gather the interval's hits into one batch
            try:
                self.flush()
            except Exception:  # never let the flusher die
                logger.exception("rate-limit flush failed")
            if self._pending:  # Redis failed: try again once the back-off is over
                time.sleep(max(0.0, self._retry_at - time.monotonic()))
                self._wake.set()


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


@atexit.register
def _flush_at_exit() -> None:
    """A worker leaving (gunicorn's --max-requests, a graceful restart) adds up what it counted."""
    pid = os.getpid()
    for (owner, _), batcher in list(_batchers.items()):
        if owner == pid:
            try:
                batcher.flush()
            except Exception:  # exiting: nothing more to do
                logger.warning("rate-limit counts not added up at exit")


def reset() -> None:
    """Forget this process's unflushed and remembered counts (tests, with cache.clear())."""
    for batcher in list(_batchers.values()):
        with batcher._flush_lock, batcher._lock:
            batcher._seen.clear()
            batcher._pending.clear()
            batcher._ends.clear()
            batcher._flushing.clear()
            batcher._retry_at = 0.0
