"""The statistic on small, hand-checkable cases (no database)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from skillreg.archives import similarity
from skillreg.archives.similarity import RoomResult, Sheet, poisson_binomial_sf


def brute_force_sf(p: list[float], x: int) -> float:
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(p)):
        if sum(outcome) >= x:
            total += float(np.prod([q if o else 1 - q for q, o in zip(p, outcome, strict=True)]))
    return total


def test_the_tail_equals_the_hand_computed_poisson_binomial() -> None:
    # Three items with match probabilities 0.1, 0.2, 0.5: P(X ≥ 2) = 0.1·0.2 + 0.1·0.5 + 0.2·0.5 − 2·0.1·0.2·0.5
    p = np.array([[0.1, 0.2, 0.5]])
    assert poisson_binomial_sf(p, np.array([2]))[0] == pytest.approx(0.02 + 0.05 + 0.10 - 2 * 0.01)
    assert poisson_binomial_sf(p, np.array([3]))[0] == pytest.approx(0.01)
    assert poisson_binomial_sf(p, np.array([0]))[0] == 1.0


def test_the_tail_matches_enumeration_for_random_pairs_batched_together() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.4, size=(40, 9))
    x = rng.integers(0, 10, size=40)
    got = poisson_binomial_sf(p, x, batch=7)  # several batches with different caps
    want = [brute_force_sf(list(p[n]), int(x[n])) for n in range(40)]
    assert got == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_tiny_tails_keep_their_precision() -> None:
    # 60 items at 0.05, all matched: (0.05)^60 ≈ 8.7e-79, far below 1 − cdf's reach.
    p = np.full((1, 60), 0.05)
    assert poisson_binomial_sf(p, np.array([60]))[0] == pytest.approx(0.05 ** 60, rel=1e-9)


def _sheets(rows: list[tuple[str, str, str]]) -> list[Sheet]:
    return [Sheet(e, r, tuple(None if c == "." else int(c) for c in answers)) for e, r, answers in rows]


def test_the_key_is_derived_as_the_most_chosen_option_with_ties_to_the_smallest() -> None:
    sheets = _sheets([("a", "1", "112"), ("b", "1", "122"), ("c", "1", "213"), ("d", "1", "2.3")])
    result = similarity.screen(sheets)
    # item 1: 1,1,2,2 → tie → 1; item 2: 1,2,1 (one omitted) → 1; item 3: 2,2,3,3 → tie → 2
    assert result.key == [1, 1, 2]
    assert result.key_derived


def test_identical_incorrect_answers_are_counted_and_listed_omissions_excluded() -> None:
    # Key given: 1 1 1 1 1. a and b share wrong answers on items 2 and 4; item 5 both omitted.
    rows = [("a", "R", "1213."), ("b", "R", "1233."), ("c", "R", "11111"), ("d", "R", "11112")]
    result = similarity.screen(_sheets(rows), key=[1, 1, 1, 1, 1], alpha=0.04999)
    model = similarity.Model(_sheets(rows), key=[1, 1, 1, 1, 1])
    x, _mu, _z, pv = similarity.pair_statistics(model, np.array([0]), np.array([1]))
    assert int(x[0]) == 2
    assert 0 < pv[0] <= 1
    assert not result.key_derived
    assert result.total_pairs == 6


def test_the_p_value_is_the_exact_tail_under_the_group_probabilities() -> None:
    # One score group (fewer than MIN_GROUP examinees): P_i is the others' distribution,
    # shrunk towards the whole sitting's with PRIOR_WEIGHT pseudo-examinees.
    rows = [("a", "R", "22"), ("b", "R", "22"), ("c", "R", "11"), ("d", "R", "13")]
    sheets = _sheets(rows)
    model = similarity.Model(sheets, key=[1, 1])
    w = similarity.PRIOR_WEIGHT
    # item 1: overall P(2) = 2/4. For a (chose 2): others chose 2 once of 3 → (1 + w·0.5) / (3 + w); same for b.
    p1 = ((1 + w * 0.5) / (3 + w)) ** 2
    # item 2: options chosen 2,2,1,3; P(2) as for item 1, P(3) for a: (1 + w·0.25)/(3 + w)
    pa2, pa3 = (1 + w * 0.5) / (3 + w), (1 + w * 0.25) / (3 + w)
    p2 = pa2 * pa2 + pa3 * pa3
    x, mu, _z, pv = similarity.pair_statistics(model, np.array([0]), np.array([1]))
    assert int(x[0]) == 2
    assert mu[0] == pytest.approx(p1 + p2)
    assert pv[0] == pytest.approx(p1 * p2)


def test_a_room_at_exactly_one_third_reaches_the_rule_000_3_3_8() -> None:
    # 000 三(三)8 “三分之一以上”, pack.similarity.inclusive: exactly 1/3 counts.
    room = RoomResult(room="1", candidates=list("abcdef"), pairs=15, pair_alpha=0.001 / 15)
    room.flagged.append(similarity.PairResult("a", "b", 9, 2.0, 5.0, 1e-6, []))
    assert room.share == pytest.approx(1 / 3)
    assert room.reaches(Fraction(1, 3), inclusive=True) is True
    assert room.reaches(Fraction(1, 3), inclusive=False) is False
    # Silence: no fraction, no verdict (never an invented one).
    assert room.reaches(None) is None


def test_a_room_with_one_candidate_has_no_pairs_and_is_never_flagged() -> None:
    result = similarity.screen(_sheets([("a", "1", "12"), ("b", "2", "12")]))
    assert all(r.pairs == 0 and not r.flagged for r in result.rooms)
    assert all(r.reaches(Fraction(1, 3)) is False for r in result.rooms)


def test_the_pair_threshold_is_alpha_over_the_room_s_pairs() -> None:
    sheets = _sheets([(f"e{i}", "A", "1212") for i in range(5)])
    result = similarity.screen(sheets, alpha=0.001)
    assert result.rooms[0].pairs == 10
    assert result.rooms[0].pair_alpha == pytest.approx(0.0001)


def test_alpha_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError):
        similarity.screen(_sheets([("a", "1", "1"), ("b", "1", "1")]), alpha=0)


# --- the fast path equals the reference path -------------------------------------------------


def _random_sitting(seed: int, *, n_sheets: int, items: int, options: str = "ABCD", omit: float = 0.03,
                    copiers: int = 3) -> list[Sheet]:
    """Honest examinees of varied ability in rooms of varied size (1 to 40), plus a few copiers."""
    rng = np.random.default_rng(seed)
    key = rng.integers(0, len(options), items)
    ability = rng.uniform(0.2, 0.95, n_sheets)
    lure = rng.dirichlet(np.ones(len(options)), items)
    answers: list[list[str | None]] = []
    for i in range(n_sheets):
        row: list[str | None] = []
        for k in range(items):
            u = rng.random()
            if u < omit:
                row.append(None)
            elif u < omit + ability[i]:
                row.append(options[key[k]])
            else:
                row.append(options[rng.choice(len(options), p=lure[k])])
        answers.append(row)
    sizes: list[int] = []
    while sum(sizes) < n_sheets:
        sizes.append(int(rng.integers(1, 41)))
    rooms = [str(r) for r, size in enumerate(sizes) for _ in range(size)][:n_sheets]
    for _ in range(copiers):  # a copier sits next to their source
        source = int(rng.integers(0, n_sheets - 1))
        if rooms[source] == rooms[source + 1]:
            copied = list(answers[source])
            for k in rng.choice(items, size=max(1, items // 15), replace=False):
                copied[k] = options[int(rng.integers(0, len(options)))]
            answers[source + 1] = copied
    return [Sheet(examinee=f"e{i}", room=rooms[i], answers=tuple(answers[i])) for i in range(n_sheets)]


def _assert_same(fast: similarity.Screening, ref: similarity.Screening) -> None:
    assert fast.key == ref.key and fast.key_derived == ref.key_derived
    assert (fast.n_sheets, fast.n_items, fast.score_groups, fast.total_pairs) == (
        ref.n_sheets, ref.n_items, ref.score_groups, ref.total_pairs)
    assert fast.histogram == ref.histogram
    assert [r.room for r in fast.rooms] == [r.room for r in ref.rooms]
    for f, r in zip(fast.rooms, ref.rooms, strict=True):
        assert (f.candidates, f.pairs, f.pair_alpha) == (r.candidates, r.pairs, r.pair_alpha)
        assert (f.min_p is None) == (r.min_p is None)
        if r.min_p is not None:
            assert f.min_p == pytest.approx(r.min_p, rel=1e-9, abs=1e-300)
        assert [(p.a, p.b, p.identical_incorrect, p.shared_items) for p in f.flagged] == [
            (p.a, p.b, p.identical_incorrect, p.shared_items) for p in r.flagged]
        for fp, rp in zip(f.flagged, r.flagged, strict=True):
            assert fp.expected == pytest.approx(rp.expected, rel=1e-12)
            assert fp.z == pytest.approx(rp.z, rel=1e-12)
            assert fp.p_value == pytest.approx(rp.p_value, rel=1e-9)


@pytest.mark.parametrize(("seed", "n_sheets", "items", "options"), [
    (1, 30, 12, "ABCD"),        # one score group, short test
    (2, 260, 40, "ABCD"),       # five groups
    (3, 700, 60, "ABCDE"),      # ten groups, five options
    (4, 120, 25, "AB"),         # true/false items
])
def test_the_fast_path_equals_the_reference_on_random_rooms(seed: int, n_sheets: int, items: int,
                                                            options: str) -> None:
    sheets = _random_sitting(seed, n_sheets=n_sheets, items=items, options=options)
    for alpha in (0.001, 0.04):
        _assert_same(similarity.screen(sheets, alpha=alpha), similarity.screen_reference(sheets, alpha=alpha))


def test_the_fast_path_equals_the_reference_with_a_given_key_and_a_dropped_item() -> None:
    sheets = _random_sitting(5, n_sheets=150, items=20)
    key: list[str | None] = [s for s in "ABCDABCDABCDABCDABCD"]
    key[7] = None  # an item dropped from the key: no option is wrong on it
    _assert_same(similarity.screen(sheets, key=key, alpha=0.01),
                 similarity.screen_reference(sheets, key=key, alpha=0.01))


def test_the_fast_path_equals_the_reference_in_small_batches() -> None:
    # Batches of a few rooms exercise the batching and the per-batch room minimum.
    sheets = _random_sitting(6, n_sheets=200, items=30, copiers=6)
    _assert_same(similarity.screen(sheets, alpha=0.01, batch_sheets=40),
                 similarity.screen_reference(sheets, alpha=0.01))
