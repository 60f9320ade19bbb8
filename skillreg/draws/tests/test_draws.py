from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillreg.accounts.models import User
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.draws import algorithm
from skillreg.draws.models import Draw
from skillreg.draws.services import Candidate, Exclusion, draw_perform, draw_recompute

pytestmark = pytest.mark.django_db

POOL = [Candidate(f"expert-{n}", f"专家{n}") for n in range(12)]


def _draw(actor: User, **kw: object) -> Draw:
    args: dict[str, object] = dict(actor=actor, purpose="专家评估", pool=POOL,
                                   exclusions=[Exclusion("expert-3", "与申请单位存在利害关系")],
                                   count=5, at=clock.now(), rule_source="004 五(三)")
    args.update(kw)
    return draw_perform(**args)  # type: ignore[arg-type]


def test_a_draw_is_recomputable_from_its_record(bz_official: User) -> None:
    record = _draw(bz_official)
    assert len(record.result) == 5
    assert "expert-3" not in record.result
    assert draw_recompute(record) == record.result
    # Order of the pool does not matter; the seed does.
    assert algorithm.draw(seed=record.seed, pool=reversed([c.key for c in POOL]),
                          excluded=["expert-3"], count=5) == record.result


def test_different_seeds_draw_differently(bz_official: User) -> None:
    results = {tuple(_draw(bz_official).result) for _ in range(5)}
    assert len(results) > 1


def test_a_pool_smaller_than_the_count_is_refused_with_the_numbers(bz_official: User) -> None:
    with pytest.raises(DomainError, match="候选 12 人，回避排除 1 人，需抽取 12 人"):
        _draw(bz_official, count=12)
    assert not Draw.objects.exists()


def test_verify_draw_flags_an_altered_result(bz_official: User, capsys) -> None:  # type: ignore[no-untyped-def]
    record = _draw(bz_official)
    call_command("verify-draw")
    assert "1 条记录均可按种子重算" in capsys.readouterr().out
    Draw.objects.filter(pk=record.pk).update(result=["expert-3", *record.result[1:]])
    with pytest.raises(CommandError, match="1/1 条"):
        call_command("verify-draw")
