"""The random draw, as a pure function anyone can recompute.

Each eligible member of the pool is ranked by HMAC-SHA256(seed, member key); the first
``count`` win. The result depends only on the published pool, exclusions and seed, not on
the order the pool was listed in nor on any language's random-number generator, so an
inspector, a court or an applicant can recompute it from the published record with ten
lines of any language.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable


def new_seed() -> str:
    return secrets.token_hex(32)


def rank(seed: str, key: str) -> str:
    return hmac.new(bytes.fromhex(seed), key.encode("utf-8"), hashlib.sha256).hexdigest()


def draw(*, seed: str, pool: Iterable[str], excluded: Iterable[str], count: int) -> list[str]:
    excluded_set = set(excluded)
    eligible = sorted(set(pool) - excluded_set)
    ordered = sorted(eligible, key=lambda key: (rank(seed, key), key))
    return ordered[:count]
