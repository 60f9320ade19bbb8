"""The verification limit on Redis, counted per process and added up in batches (issue 8, figure 1;
issue 7's limit of 30 lookups a minute per address).

Each ``Batcher`` here stands for one server process; two of them sharing one Redis are two
workers. ``Batcher(None)`` starts no thread, so the test says when a flush happens.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from skillreg.accounts.models import User
from skillreg.certificates import ratelimit
from skillreg.certificates.models import Certificate
from skillreg.certificates.ratelimit import Batcher
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import redis_or_skip
from skillreg.core import clock

REDIS = {"default": {"BACKEND": "skillreg.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
                     "KEY_PREFIX": "skillreg-batched-test"}}
# Nothing listens on port 1: every call to this "Redis" fails as an unreachable server does.
UNREACHABLE = {"default": {**REDIS["default"], "LOCATION": "redis://127.0.0.1:1/15"}}
KEY, TIMEOUT, END = "certverify:203.0.113.9:0", 65, 2**40
LIMIT = 1000  # the tests that use it never reach a quarter of it: no hit is added up in its request
API = "/api/v1/public/certificates/verify"


@pytest.fixture
def cert(nm_user: User, issue: Callable[..., list[Certificate]]) -> Certificate:
    return issue(nm_user, holders=[("张伟", make_id("150302", "19900101", 1))], level=4)[0]


@pytest.fixture
def shared() -> Iterator[object]:
    with override_settings(CACHES=REDIS):
        cache = caches["default"]
        redis_or_skip(cache.clear)
        ratelimit.reset()
        yield cache
        cache.clear()
        ratelimit.reset()


def test_one_process_counts_exactly_whether_or_not_it_has_flushed(shared) -> None:
    worker = Batcher(None)
    assert [worker.hit(KEY, TIMEOUT, END, LIMIT) for _ in range(2)] == [1, 2]
    worker.flush()
    assert shared.get(KEY) == 2  # the shared counter, in Django's own format
    assert [worker.hit(KEY, TIMEOUT, END, LIMIT) for _ in range(2)] == [3, 4]
    worker.flush()
    assert shared.get(KEY) == 4 and worker.hit(KEY, TIMEOUT, END, LIMIT) == 5


def test_two_processes_see_each_others_hits_from_their_next_flush(shared) -> None:
    first, second = Batcher(None), Batcher(None)
    for _ in range(20):
        first.hit(KEY, TIMEOUT, END, LIMIT)
    first.flush()
    # The second process has not flushed since: it sees only its own hit (the documented bound).
    assert second.hit(KEY, TIMEOUT, END, LIMIT) == 1
    second.flush()
    # Its flush read back the shared count: the first process's 20 and its own 1.
    assert second.hit(KEY, TIMEOUT, END, LIMIT) == 22
    second.flush()
    assert shared.get(KEY) == 22
    # The first process reads the shared count when it next flushes hits of its own: until then
    # it decides on its last read (20) and its own new hit.
    assert first.hit(KEY, TIMEOUT, END, LIMIT) == 21
    first.flush()
    assert shared.get(KEY) == 23 and first.hit(KEY, TIMEOUT, END, LIMIT) == 24


def test_a_heavy_address_is_counted_in_the_shared_cache_before_a_quarter_of_the_limit(shared) -> None:
    """limit 8: from the 2nd hit not yet added up in one process, that request adds them up and reads
    the shared count back, so each other process lets an address have at most 1 hit it cannot see."""
    first, second = Batcher(None), Batcher(None)
    assert [first.hit(KEY, TIMEOUT, END, 8) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert shared.get(KEY) == 4  # the 2nd and 4th hits were added up in their requests; the 5th waits
    assert second.hit(KEY, TIMEOUT, END, 8) == 1  # its first: not yet a heavy address here
    assert second.hit(KEY, TIMEOUT, END, 8) == 6  # heavy: the shared 4, and its own 2
    # The first's 5th hit is not added up yet: the one hit the second process cannot see.
    assert [second.hit(KEY, TIMEOUT, END, 8) for _ in range(3)] == [7, 8, 9]
    # Over the limit, a hit is refused without a round trip; it is still counted.
    assert second.hit(KEY, TIMEOUT, END, 8) == 10 and shared.get(KEY) == 8
    first.flush()
    second.flush()
    assert shared.get(KEY) == 11  # every hit once: the first's 5 and the second's 6


def test_an_unreachable_cache_keeps_the_counts_and_each_process_still_limits(shared, caplog) -> None:
    worker = Batcher(None)
    with override_settings(CACHES=UNREACHABLE), caplog.at_level(logging.WARNING, "skillreg.certificates"):
        for _ in range(3):
            worker.hit(KEY, TIMEOUT, END, LIMIT)
        worker.flush()  # fails: nothing is lost, nothing raised
        assert worker.hit(KEY, TIMEOUT, END, LIMIT) == 4
    assert "rate-limit counters not shared" in caplog.text
    worker.flush()  # the cache is back: all four hits reach it
    assert shared.get(KEY) == 4


def test_counts_of_a_finished_window_are_forgotten_at_the_next_flush(shared, frozen_clock) -> None:
    worker = Batcher(None)
    ended = int(frozen_clock.timestamp())  # this window ended now
    worker.hit("certverify:203.0.113.9:old", TIMEOUT, ended, LIMIT)
    worker.flush()
    assert worker._seen == {} and worker._ends == {}


def test_the_flusher_thread_adds_the_hits_on_its_own(shared) -> None:
    worker = Batcher(0.01)
    for _ in range(5):
        worker.hit(KEY, TIMEOUT, END, LIMIT)
    deadline = time.monotonic() + 10
    while shared.get(KEY) != 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert shared.get(KEY) == 5


def test_the_api_limits_on_redis_with_batching(settings, shared, cert: Certificate) -> None:  # type: ignore[no-untyped-def]
    """Limit 40: the address is added up in its request every 10th hit, in between it is not."""
    settings.SKILLREG_VERIFY_RATE_LIMIT = 40
    assert settings.SKILLREG_VERIFY_RATE_FLUSH_MS > 0  # the production default: batched
    client = Client(REMOTE_ADDR="203.0.113.10")
    codes = [client.get(API, {"number": cert.number}).status_code for _ in range(42)]
    assert codes == [200] * 40 + [429, 429]
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.11").get(API, {"number": cert.number}).status_code == 200


def test_an_address_gets_at_most_a_quarter_of_the_limit_less_one_from_a_process_that_had_not_seen_it(
        shared) -> None:
    """The documented bound, limit 30: all 30 from one worker, then the other worker lets the address
    have 6 more on its stale count before its 7th unflushed hit reads the shared count."""
    first, second = Batcher(None), Batcher(None)
    allowed = sum(first.hit(KEY, TIMEOUT, END, 30) <= 30 for _ in range(40))
    first.flush()
    allowed += sum(second.hit(KEY, TIMEOUT, END, 30) <= 30 for _ in range(40))
    assert allowed == 30 + (30 // 4 - 1)


def test_hits_from_many_threads_while_flushing_are_each_counted_once(shared) -> None:
    worker = Batcher(None)
    stop = threading.Event()

    def flusher() -> None:
        while not stop.is_set():
            worker.flush()

    def hitter() -> None:
        for _ in range(300):
            worker.hit(KEY, TIMEOUT, END, LIMIT * 1000)

    background = threading.Thread(target=flusher)
    background.start()
    threads = [threading.Thread(target=hitter) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    background.join()
    worker.flush()
    assert shared.get(KEY) == 1800 and worker.hit(KEY, TIMEOUT, END, LIMIT * 1000) == 1801


def test_after_a_failed_flush_requests_do_not_wait_for_the_cache(shared, monkeypatch) -> None:
    """Redis down: a heavy address's request does not try it again for BACKOFF_SECONDS."""
    worker = Batcher(None)
    calls = []

    def down(batch: object) -> dict[str, int]:
        calls.append(batch)
        raise ConnectionError("down")

    monkeypatch.setattr(ratelimit, "_add_many", down)
    worker.hit(KEY, TIMEOUT, END, 4)  # limit 4: every hit is a heavy one
    assert len(calls) == 1
    assert [worker.hit(KEY, TIMEOUT, END, 4) for _ in range(4)] == [2, 3, 4, 5]  # decided locally
    assert len(calls) == 1


@pytest.mark.django_db
def test_the_database_cache_is_not_batched(settings) -> None:  # type: ignore[no-untyped-def]
    """Its incr is a read and a write: batches of two processes could overwrite each other."""
    db_cache = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "skillreg_cache"}}
    with override_settings(CACHES=db_cache):
        client = Client(REMOTE_ADDR="203.0.113.12")
        for _ in range(2):
            client.get(API, {"number": "Y000000000000000000001"})
        now = int(clock.now().timestamp())
        # In the cache at once, nothing held back in the process.
        assert caches["default"].get(f"certverify:203.0.113.12:{now - now % 60}") == 2
