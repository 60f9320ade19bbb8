from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.draws import algorithm
from skillreg.draws.models import Draw


@dataclass(frozen=True)
class Candidate:
    key: str
    label: str


@dataclass(frozen=True)
class Exclusion:
    key: str
    reason: str


@transaction.atomic
def draw_perform(*, actor: Any, purpose: str, pool: Sequence[Candidate],
                 exclusions: Sequence[Exclusion], count: int, at: dt.datetime,
                 subject: Any = None, rule_source: str = "", seed: str | None = None) -> Draw:
    """Draw ``count`` members from ``pool`` minus ``exclusions`` and store how.

    ``seed`` is generated here unless given (a public ceremony may publish it in advance).
    """
    if count < 1:
        raise InvalidInput("抽取数量至少为 1", field="count")
    keys = [c.key for c in pool]
    if len(set(keys)) != len(keys):
        raise InvalidInput("候选池中有重复成员", field="pool")
    excluded = {e.key for e in exclusions}
    eligible = len(set(keys) - excluded)
    if eligible < count:
        raise DomainError(
            f"可抽取人数不足：候选 {len(keys)} 人，回避排除 {len(excluded & set(keys))} 人，"
            f"需抽取 {count} 人", code="pool_too_small", source=rule_source or None,
        )
    seed = seed or algorithm.new_seed()
    result = algorithm.draw(seed=seed, pool=keys, excluded=excluded, count=count)
    record = Draw.objects.create(
        purpose=purpose,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(getattr(subject, "public_id", None) or subject.pk) if subject is not None else "",
        pool=[{"key": c.key, "label": c.label} for c in pool],
        exclusions=[{"key": e.key, "reason": e.reason} for e in exclusions],
        seed=seed, count=count, result=result, rule_source=rule_source, drawn_at=at,
        drawn_by=actor,
    )
    audit.record(actor=actor, action="draws.performed", obj=record, at=at,
                 summary=f"{purpose}：从 {eligible} 名中抽取 {count} 名",
                 after={"seed": seed, "result": result, "excluded": sorted(excluded)})
    return record


def draw_recompute(record: Draw) -> list[str]:
    return algorithm.draw(seed=record.seed, pool=[m["key"] for m in record.pool],
                          excluded=[e["key"] for e in record.exclusions], count=record.count)
