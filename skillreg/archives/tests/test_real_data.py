"""The method's properties on 1,607 real examinees (Cizek & Wollack form 2; no key is
distributed, so the key is derived as the most chosen option per item).

Pairs of examinees in different rooms cannot have copied from each other, so the share of
them the pair test flags is its empirical false-positive rate on real, mostly honest
answering. No timing is asserted here; SIMILARITY.md reports the runtime.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from skillreg.archives import similarity
from skillreg.archives.similarity import Sheet
from skillreg.archives.tests.conftest import real_sheets

ONE_THIRD = Fraction(1, 3)  # nm-2020-special pack.similarity: 000 三(三)8, inclusive


def _with_copier(sheets: tuple[Sheet, ...], *, room: str, copiers: int, items: int, seed: int) -> list[Sheet]:
    """Let ``copiers`` examinees of ``room`` copy ``items`` answers from the room's first examinee."""
    rng = np.random.default_rng(seed)
    out = list(sheets)
    members = [i for i, s in enumerate(out) if s.room == room]
    source = out[members[0]]
    for i in members[1:1 + copiers]:
        answers = list(out[i].answers)
        for k in rng.choice(len(answers), size=items, replace=False):
            answers[k] = source.answers[k]
        out[i] = Sheet(out[i].examinee, room, tuple(answers))
    return out


def test_the_real_file_has_the_documented_shape() -> None:
    sheets = real_sheets()
    assert len(sheets) == 1607
    assert len(sheets[0].answers) == 170
    assert len({s.room for s in sheets}) == 310


def test_cross_room_pairs_are_flagged_at_or_below_the_nominal_rate() -> None:
    # A seeded sample of 40,000 cross-room pairs (the full 1.28 million are in SIMILARITY.md).
    null = similarity.cross_room_null(real_sheets(), levels=(0.01, 0.001), sample=40_000, seed=11)
    assert null.pairs == 40_000
    # Nominal 0.001 → at most 0.0015 (tolerance for sampling: about 40 expected at the nominal rate).
    assert null.rates[0.001] <= 0.0015
    assert null.rates[0.01] <= 0.015
    # The model's expected identical-incorrect count matches what honest pairs show.
    assert null.mean_expected == pytest.approx(null.mean_x, rel=0.05)


def test_the_real_rooms_do_not_reach_the_one_third_rule() -> None:
    result = similarity.screen(real_sheets())
    assert result.key_derived
    assert result.total_pairs == 5640
    reaching = [r for r in result.rooms if r.reaches(ONE_THIRD)]
    flagged_pairs = sum(len(r.flagged) for r in result.rooms)
    # Measured: 1 flagged pair (room 2305, 28 candidates: 2 of 28 is 7%), no room at 1/3.
    assert len(reaching) == 0
    assert flagged_pairs <= 3


def test_an_injected_copied_pair_is_flagged_and_its_room_reaches_the_rule() -> None:
    # Room 591 holds 5 real examinees; one copies 70 of the source's 170 answers.
    sheets = _with_copier(real_sheets(), room="591", copiers=1, items=70, seed=3)
    result = similarity.screen(sheets)
    room = next(r for r in result.rooms if r.room == "591")
    assert len(room.candidates) == 5
    assert len(room.flagged) == 1
    assert room.flagged[0].identical_incorrect > room.flagged[0].expected
    assert room.reaches(ONE_THIRD) is True  # 2 of 5 ≥ 1/3


def test_an_injected_cheating_room_reaches_the_one_third_rule_and_others_stay_clean() -> None:
    # The 28-candidate room: 9 candidates copy 80 answers each from one source → 10 of 28 ≥ 1/3.
    sheets = _with_copier(real_sheets(), room="2305", copiers=9, items=80, seed=5)
    result = similarity.screen(sheets)
    room = next(r for r in result.rooms if r.room == "2305")
    assert len(room.candidates) == 28
    assert len(room.flagged_candidates) >= 10
    assert room.reaches(ONE_THIRD) is True
    assert [r.room for r in result.rooms if r.reaches(ONE_THIRD)] == ["2305"]
