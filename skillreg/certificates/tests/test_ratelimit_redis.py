"""The verification limit's counter on Redis (issue 8, figure 1; issue 7's per-address limit).

The shared cache is Redis where operators set ``SKILLREG_CACHE_URL=redis://…``: the counter is one
script call there, and must be the same counter Django's own ``add`` + ``incr`` keep.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import override_settings

from skillreg.certificates.ratelimit import _count
from skillreg.conftest import redis_or_skip

REDIS = {"default": {"BACKEND": "skillreg.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
                     "KEY_PREFIX": "skillreg-ratelimit-test"}}


@pytest.fixture
def redis_cache() -> Iterator[object]:
    with override_settings(CACHES=REDIS):
        cache = caches["default"]
        redis_or_skip(lambda: cache.delete_many(["fresh", "django-made"]))
        yield cache
        cache.delete_many(["fresh", "django-made"])


def test_the_counter_counts_from_one_and_expires_with_its_window(redis_cache) -> None:
    assert [_count("fresh", 65) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_and_validate_key("fresh")) <= 65
    assert redis_cache.get("fresh") == 3  # Django reads the same integer


def test_a_counter_django_started_is_the_same_counter(redis_cache) -> None:
    assert redis_cache.add("django-made", 0, timeout=65) and redis_cache.incr("django-made") == 1
    assert _count("django-made", 65) == 2
    assert redis_cache.incr("django-made") == 3
