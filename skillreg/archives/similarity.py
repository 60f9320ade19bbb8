"""Answer-sheet similarity screening: the statistic, with no database and no Django.

000 三(三)8 calls a room irregular when “同一考场三分之一以上考生答卷异常雷同”; no
document says what “异常雷同” (abnormally similar) is. This module decides it with a
recognised answer-copying statistic whose false-positive rate under independent answering
is known, so a flag means “this would happen by chance less often than α”.

Method: a generalised binomial test on identical incorrect answers
------------------------------------------------------------------
For a pair of examinees (i, j) in one room, the statistic is

    x = the number of items on which both chose the same *incorrect* option.

Identical wrong answers are the classic evidence of copying (Angoff's B/H indices, Holland's
K-index, Bellezza & Bellezza's error-similarity analysis): identical right answers are what
two able, honest examinees produce anyway. Under independent answering the events “both
chose the same wrong option on item k” are independent Bernoulli trials with probabilities

    p_k = Σ_{o ≠ key_k} P_i(o | k) · P_j(o | k),

so x follows a Poisson-binomial (generalised binomial) distribution, and the exact upper
tail P(X ≥ x) is the p-value. This is the generalised binomial test of van der Linden &
Sotaridona (2006, *ib. Educ. Behav. Stat.* 31(3), 283–304), used symmetrically (neither of
the two is presumed the copier) and restricted to identical incorrect answers.

The choice probabilities P_i(o | k) are estimated without an IRT model, from examinees of
the same ability: the sitting's examinees are split into score groups (quantiles of the
number-correct score; at least ``MIN_GROUP`` examinees per group, at most ``MAX_GROUPS``
groups), and P_i is the option distribution on item k in i's group, leaving i out and
shrunk towards the whole sitting's distribution with ``PRIOR_WEIGHT`` pseudo-examinees (so an
option nobody else in the group chose is unlikely, not impossible). Conditioning on score
groups is how Frary, Tideman & Watts's g2 and Holland's K-index condition on ability.

Omitted items (None) never count as identical incorrect answers.

Answer key: when none is given, the key is *derived* as the most chosen option of each item
(ties: the smallest option). This is an assumption, stated wherever a result is shown.

Decision: in a room of n candidates there are m = n(n−1)/2 pairs; a pair is flagged when
its p-value ≤ α / m (Bonferroni), so the chance that an honest room has any flagged pair
is at most α (default 0.001), and every single pair's false-positive rate is at most α/m.
A candidate is “abnormally similar” when in at least one flagged pair; a room reaches
000 三(三)8 when flagged candidates / candidates ≥ the pack's fraction (“以上” includes it).

This is a screening statistic: a flag is a reason to examine the papers, the seating plan
and the video, not a finding of cheating by itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

METHOD = "gbt-identical-incorrect/score-groups"
METHOD_NAME = "相同错误答案广义二项检验（van der Linden & Sotaridona, 2006；按得分分组估计选项概率）"
METHOD_VERSION = 1
DEFAULT_ALPHA = 0.001
MIN_GROUP = 50
MAX_GROUPS = 10
PRIOR_WEIGHT = 2.0
CORRECTION = "bonferroni-per-room"
# Histogram of z = (x − E x) / sd: bins of 0.5 from −4 to 10 (values outside are clipped).
HIST_LO, HIST_HI, HIST_STEP = -4.0, 10.0, 0.5

Option = Hashable
_CHUNK = 50_000  # rows per chunk when counting over the whole sitting


@dataclass(frozen=True)
class Sheet:
    """One examinee's answer sheet: ids as text, one chosen option per item (None = omitted)."""

    examinee: str
    room: str
    answers: tuple[Option | None, ...]


@dataclass(frozen=True)
class PairResult:
    a: str
    b: str
    identical_incorrect: int
    expected: float
    z: float
    p_value: float
    shared_items: list[tuple[int, Option]]  # (1-based item number, the shared wrong option)


@dataclass
class RoomResult:
    room: str
    candidates: list[str]
    pairs: int
    pair_alpha: float | None  # α / m; None when the room has no pair
    flagged: list[PairResult] = field(default_factory=list)
    min_p: float | None = None

    @property
    def flagged_candidates(self) -> set[str]:
        return {c for pair in self.flagged for c in (pair.a, pair.b)}

    @property
    def share(self) -> float:
        return len(self.flagged_candidates) / len(self.candidates) if self.candidates else 0.0

    def reaches(self, fraction: Fraction | None, *, inclusive: bool = True) -> bool | None:
        """000 三(三)8; None when the pack is silent (no fraction is invented)."""
        if fraction is None:
            return None
        flagged, total = len(self.flagged_candidates), len(self.candidates)
        if flagged == 0:
            return False
        ratio = Fraction(flagged, total)
        return ratio >= fraction if inclusive else ratio > fraction


@dataclass
class Screening:
    rooms: list[RoomResult]
    key: list[Option]
    key_derived: bool
    alpha: float
    score_groups: int
    n_sheets: int
    n_items: int
    histogram: list[int]  # counts of z over every within-room pair, bins of HIST_STEP
    total_pairs: int

    def parameters(self) -> dict[str, object]:
        return {
            "method": METHOD, "method_version": METHOD_VERSION, "alpha": self.alpha,
            "correction": CORRECTION, "score_groups": self.score_groups, "min_group": MIN_GROUP,
            "max_groups": MAX_GROUPS, "prior_weight": PRIOR_WEIGHT,
            "key_derivation": "modal" if self.key_derived else "given", "seed": None,
        }


def hist_edges() -> list[float]:
    n = round((HIST_HI - HIST_LO) / HIST_STEP)
    return [HIST_LO + HIST_STEP * i for i in range(n + 1)]


# --- the model ------------------------------------------------------------------------------


class Model:
    """Coded responses, key, score groups and the option counts the probabilities come from."""

    def __init__(self, sheets: Sequence[Sheet], key: Sequence[Option | None] | None = None) -> None:
        R, options = encode(sheets, key)
        self._fit(R, options, key)

    @classmethod
    def from_codes(cls, R: np.ndarray, options: Sequence[Option],
                   key: Sequence[Option | None] | None = None) -> Model:
        """The model of an already coded answer matrix: R[i, k] = index into ``options``, −1 = omitted.

        The same numbers as building it from sheets (``screen`` codes sheets and comes here).
        """
        R = np.asarray(R)
        if R.ndim != 2 or R.shape[0] == 0 or R.shape[1] == 0:
            raise ValueError("every sheet must answer the same, non-zero number of items")
        if key is not None and len(key) != R.shape[1]:
            raise ValueError("the key must give one option per item")
        model = cls.__new__(cls)
        model._fit(R, list(options), key)
        return model

    def _fit(self, R: np.ndarray, options: list[Option], key: Sequence[Option | None] | None) -> None:
        self.options: list[Option] = options
        code = {o: c for c, o in enumerate(options)}
        self.R = R
        self.N, self.K = self.R.shape
        self.O = max(len(options), 1)
        # Option counts per (item, option) by comparisons in row chunks: the same integers as
        # summing a one-hot N × K × O array, without holding it (400 MB at 10^6 × 100).
        counts_all = self._counts(self.R)
        if key is None:
            counts = counts_all  # K × O; argmax takes the first (smallest option) on ties
            self.key = counts.argmax(1).astype(np.int16)
            self.key_derived = True
        else:
            self.key = np.array([-2 if k is None else code[k] for k in key], dtype=np.int16)
            self.key_derived = False
        self.score = np.zeros(self.N, dtype=np.int64)
        for start in range(0, self.N, _CHUNK):
            self.score[start:start + _CHUNK] = (self.key[None, :] == self.R[start:start + _CHUNK]).sum(1)
        self.G = max(1, min(MAX_GROUPS, self.N // MIN_GROUP))
        order = np.argsort(self.score, kind="stable")
        self.group = np.empty(self.N, dtype=np.int64)
        self.group[order] = np.arange(self.N) * self.G // self.N
        self.group_size = np.bincount(self.group, minlength=self.G).astype(np.float64)
        self.counts = np.zeros((self.G, self.K, self.O))
        if self.G == 1:
            self.counts[0] = counts_all
        else:
            by_group = np.argsort(self.group, kind="stable")
            bounds = np.searchsorted(self.group[by_group], np.arange(self.G + 1))
            for g in range(self.G):
                self.counts[g] = self._counts(self.R[by_group[bounds[g]:bounds[g + 1]]])
        self.overall = counts_all / self.N
        # Options that are wrong on each item; a key of None (item dropped) makes none wrong.
        self.wrong = (np.arange(self.O)[None, :] != self.key[:, None]) & (self.key[:, None] >= 0)

    def _counts(self, R: np.ndarray) -> np.ndarray:
        out = np.zeros((self.K, self.O), dtype=np.int64)
        for start in range(0, len(R), _CHUNK):
            block = R[start:start + _CHUNK]
            for o in range(self.O):
                out[:, o] += (block == o).sum(0)
        return out

    def option_key(self, code: int) -> Option:
        return self.options[code]

    def wrong_probs(self, idx: np.ndarray) -> np.ndarray:
        """P_i(o | k) for wrong options (0 for the key), leave-one-out, shrunk: len(idx) × K × O."""
        g = self.group[idx]
        own = self.R[idx][:, :, None] == np.arange(self.O, dtype=np.int16)[None, None, :]
        num = self.counts[g] - own + PRIOR_WEIGHT * self.overall[None, :, :]
        den = (self.group_size[g] - 1.0 + PRIOR_WEIGHT)[:, None, None]
        return (num / den) * self.wrong[None, :, :]


def _sort_key(o: Option) -> tuple[int, str]:
    return (0, f"{o:012d}") if isinstance(o, int) else (1, str(o))


def pair_statistics(model: Model, ia: np.ndarray, ib: np.ndarray, pw: np.ndarray | None = None,
                    index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, E[x], z and the exact p-value P(X ≥ x) for the pairs (ia[n], ib[n]).

    ``pw`` optionally holds ``wrong_probs`` for a subset, with ``index`` mapping ia/ib into it.
    """
    x, mu, z, p = pair_moments(model, ia, ib, pw, index)
    return x, mu, z, poisson_binomial_sf(p, x)


def pair_moments(model: Model, ia: np.ndarray, ib: np.ndarray, pw: np.ndarray | None = None,
                 index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, E[x], z and the per-item match probabilities p[n, k] (the reference computation)."""
    if pw is None or index is None:
        pw, index = model.wrong_probs(np.arange(model.N)), np.arange(model.N)
    ri, rj = model.R[ia], model.R[ib]
    same_wrong = (ri == rj) & (ri >= 0) & (ri != model.key[None, :])
    x = same_wrong.sum(1)
    p = np.einsum("nko,nko->nk", pw[index[ia]], pw[index[ib]])
    mu = p.sum(1)
    sd = np.sqrt((p * (1.0 - p)).sum(1))
    z = np.where(sd > 0, (x - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    return x, mu, z, p


def poisson_binomial_sf(p: np.ndarray, x: np.ndarray, *, batch: int = 4096) -> np.ndarray:
    """P(X ≥ x[n]) for X[n] = Σ_k Bernoulli(p[n, k]), exactly.

    Dynamic programming over items on the counts 0 … C, where C = the largest x of the batch
    and state C absorbs “C or more”. The tail is then the sum of the states ≥ x[n] — a sum of
    non-negative terms, not 1 − cdf, so p-values of 1e−12 keep their precision. Pairs are
    sorted by x and batched, so the work is about Σ x[n] × items.
    """
    out = np.ones(len(x))
    order = np.argsort(x, kind="stable")
    for start in range(0, len(order), batch):
        rows = order[start:start + batch]
        xs = x[rows]
        cap = int(xs.max())
        if cap <= 0:
            continue
        pk = p[rows]
        dist = np.zeros((len(rows), cap + 1))
        dist[:, 0] = 1.0
        for k in range(pk.shape[1]):
            q = pk[:, k:k + 1]
            moved = dist * q
            dist *= 1.0 - q
            dist[:, 1:] += moved[:, :-1]
            dist[:, cap] += moved[:, cap]  # the absorbing state keeps what moves out of it
        upper = np.cumsum(dist[:, ::-1], axis=1)[:, ::-1]  # upper[n, c] = P(X ≥ c), c ≤ cap
        out[rows] = upper[np.arange(len(rows)), xs]
    return out


# --- screening -----------------------------------------------------------------------------


def screen_reference(sheets: Sequence[Sheet], *, alpha: float = DEFAULT_ALPHA,
                     key: Sequence[Option | None] | None = None,
                     progress: Callable[[int, int], None] | None = None, batch_pairs: int = 200_000) -> Screening:
    """The reference implementation: every pair's probabilities and exact tail, computed directly.

    Kept as the definition the fast path (``screen``) is tested against; ≈ 25 µs per pair.
    Rooms are processed in batches of about ``batch_pairs`` pairs.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    model = Model(sheets, key)
    by_room: dict[str, list[int]] = {}
    for i, s in enumerate(sheets):
        by_room.setdefault(s.room, []).append(i)
    edges = hist_edges()
    hist = np.zeros(len(edges) - 1, dtype=np.int64)
    room_ids = sorted(by_room, key=_room_order)
    results = {room: _room_result(room, by_room[room], sheets, alpha) for room in room_ids}
    batches: list[list[str]] = [[]]
    size = 0
    for room in room_ids:
        if size and size + results[room].pairs > batch_pairs:
            batches.append([])
            size = 0
        batches[-1].append(room)
        size += results[room].pairs
    done = 0
    for rooms in batches:
        members = np.array([i for room in rooms for i in by_room[room]], dtype=np.int64)
        ia_parts, ib_parts, owner = [], [], []
        for number, room in enumerate(rooms):
            idx = np.array(by_room[room], dtype=np.int64)
            a, b = np.triu_indices(len(idx), 1)
            ia_parts.append(idx[a])
            ib_parts.append(idx[b])
            owner.append(np.full(len(a), number))
        if members.size and sum(len(part) for part in ia_parts):
            ia, ib, room_of = np.concatenate(ia_parts), np.concatenate(ib_parts), np.concatenate(owner)
            local = np.full(model.N, -1)
            local[members] = np.arange(len(members))
            x, mu, z, pv = pair_statistics(model, ia, ib, pw=model.wrong_probs(members), index=local)
            hist += np.histogram(np.clip(z, HIST_LO, HIST_HI - 1e-9), bins=edges)[0]
            limits = np.array([results[room].pair_alpha or 0.0 for room in rooms])[room_of]
            for t in np.nonzero(pv <= limits)[0]:
                i, j = int(ia[t]), int(ib[t])
                shared = [(int(k) + 1, model.option_key(int(model.R[i, k])))
                          for k in np.nonzero((model.R[i] == model.R[j]) & (model.R[i] >= 0)
                                              & (model.R[i] != model.key))[0]]
                results[rooms[room_of[t]]].flagged.append(PairResult(
                    a=sheets[i].examinee, b=sheets[j].examinee, identical_incorrect=int(x[t]),
                    expected=float(mu[t]), z=float(z[t]), p_value=float(pv[t]), shared_items=shared,
                ))
            for number, room in enumerate(rooms):
                mine = room_of == number
                if mine.any():
                    results[room].min_p = float(pv[mine].min())
                    results[room].flagged.sort(key=lambda r: r.p_value)
        done += len(rooms)
        if progress is not None:
            progress(done, len(room_ids))
    return Screening(
        rooms=[results[room] for room in room_ids],
        key=[model.option_key(int(k)) if k >= 0 else None for k in model.key],
        key_derived=model.key_derived, alpha=alpha, score_groups=model.G, n_sheets=model.N,
        n_items=model.K, histogram=[int(c) for c in hist],
        total_pairs=sum(r.pairs for r in results.values()),
    )


def _room_result(room: str, members: list[int], sheets: Sequence[Sheet], alpha: float) -> RoomResult:
    n = len(members)
    m = n * (n - 1) // 2
    return RoomResult(room=room, candidates=[sheets[i].examinee for i in members], pairs=m,
                      pair_alpha=alpha / m if m else None)


def _room_order(room: str) -> tuple[int, str]:
    return (0, f"{int(room):020d}") if room.isdigit() else (1, room)


# --- the fast path ---------------------------------------------------------------------------
#
# The same statistic, the same decisions, computed so that a national sitting (10^6 sheets of
# 100 items in rooms of 50: 24.5 M pairs) takes seconds. It rests on one fact: P_i(o|k)
# depends on i's score group and, through the leave-one-out term, on i's own answer, which
# moves it by at most 1/(n_g − 1 + PRIOR_WEIGHT). Replacing every P_i by its group's smallest
# (largest) possible value gives per-item probabilities p_k no larger (no smaller) than the
# pair's. Hence, per group pair (G × G of them, computed once):
#
# * the Poisson-binomial tail, increasing in every p_k, bounds each pair's exact p-value below
#   (L) and above (U) by a table lookup at its x;
# * Σ_k p_k² lies between the two tables' sums, so var = E[x] − Σ p_k² lies in an interval.
#
# Per batch of equal-sized rooms, two Gram matrices (batched float32 matrix products) give
# every pair's x = A_i·A_j (A: one-hot of the answers that are not the key) and
# E[x] = W_i·W_j (W: the probabilities of the wrong options). z's interval — from the variance
# interval and a rigorous bound on the float32 rounding of E[x] — decides its histogram bin;
# when the interval meets a bin edge (a few pairs in ten thousand at national scale) the pair
# is recomputed with the reference arithmetic. A pair with L > α/m cannot be flagged and a
# pair with L > min(U) of its room cannot hold the room's smallest p; every other pair — the
# flagged, the near-flagged and each room's minimum — gets the exact tail from the reference
# code (``pair_statistics``). So flagged pairs, their x, E[x], z and p, each room's smallest
# p and the histogram are the reference's (tested on random rooms).

_SAFETY = 1e-9  # relative margin on the bound comparisons (the DP's rounding is ~1e-15)


def encode(sheets: Sequence[Sheet], key: Sequence[Option | None] | None = None
           ) -> tuple[np.ndarray, list[Option]]:
    """The coded answer matrix and the option list, exactly as ``Model`` codes sheets."""
    if not sheets:
        raise ValueError("no answer sheets")
    n_items = len(sheets[0].answers)
    if n_items == 0 or any(len(s.answers) != n_items for s in sheets):
        raise ValueError("every sheet must answer the same, non-zero number of items")
    options = sorted({a for s in sheets for a in s.answers if a is not None}, key=_sort_key)
    if key is not None:
        if len(key) != n_items:
            raise ValueError("the key must give one option per item")
        options = sorted(set(options) | {k for k in key if k is not None}, key=_sort_key)
    code = {o: c for c, o in enumerate(options)}
    dtype = np.int8 if len(options) < 127 else np.int16
    R = np.array([[-1 if a is None else code[a] for a in s.answers] for s in sheets], dtype=dtype)
    return R, options


def screen(sheets: Sequence[Sheet], *, alpha: float = DEFAULT_ALPHA, key: Sequence[Option | None] | None = None,
           progress: Callable[[int, int], None] | None = None, batch_sheets: int = 20_000) -> Screening:
    """Screen every pair of candidates in the same room; see the module docstring.

    Gives the result of ``screen_reference`` (tested on random rooms), computed by the fast path.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    R, options = encode(sheets, key)
    return screen_codes(R, options, [s.room for s in sheets], [s.examinee for s in sheets], alpha=alpha,
                        key=key, progress=progress, batch_sheets=batch_sheets)


def screen_codes(R: np.ndarray, options: Sequence[Option], rooms: Sequence[Any] | np.ndarray,
                 examinees: Sequence[str], *, alpha: float = DEFAULT_ALPHA,
                 key: Sequence[Option | None] | None = None, progress: Callable[[int, int], None] | None = None,
                 batch_sheets: int = 20_000) -> Screening:
    """The fast path on a coded answer matrix (R[i, k] = option index, −1 omitted) with each
    sheet's room label and examinee id; see the comment above."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    model = Model.from_codes(R, options, key)
    labels, inverse = np.unique(np.asarray(rooms), return_inverse=True)
    inverse = inverse.ravel()
    names = [str(label) for label in labels]
    order = np.argsort(inverse, kind="stable")  # members of each room in sheet order
    sizes = np.bincount(inverse, minlength=len(labels))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    room_order = sorted(range(len(labels)), key=lambda r: _room_order(names[r]))
    results: list[RoomResult] = []
    for r in room_order:
        members = order[starts[r]:starts[r + 1]]
        n = int(sizes[r])
        m = n * (n - 1) // 2
        results.append(RoomResult(room=names[r], candidates=[examinees[i] for i in members], pairs=m,
                                  pair_alpha=alpha / m if m else None))
    result_of = {r: results[pos] for pos, r in enumerate(room_order)}
    fast = _FastScreen(model)
    edges = hist_edges()
    hist = np.zeros(len(edges) - 1, dtype=np.int64)
    done = int((sizes < 2).sum())
    total = len(labels)
    for n in sorted({int(v) for v in sizes if v >= 2}):
        same = [r for r in room_order if sizes[r] == n]
        per_batch = max(1, batch_sheets // n)
        for start in range(0, len(same), per_batch):
            batch = same[start:start + per_batch]
            idx = np.stack([order[starts[r]:starts[r] + n] for r in batch])
            hist += fast.rooms(idx, [result_of[r] for r in batch], alpha)
            done += len(batch)
            if progress is not None and done < total:
                progress(done, total)
    if progress is not None:
        progress(total, total)
    return Screening(
        rooms=results, key=[model.option_key(int(k)) if k >= 0 else None for k in model.key],
        key_derived=model.key_derived, alpha=alpha, score_groups=model.G, n_sheets=model.N, n_items=model.K,
        histogram=[int(c) for c in hist], total_pairs=sum(r.pairs for r in results),
    )


class _FastScreen:
    """Per-sitting tables for the fast path: the option slots, the group probabilities and the
    group-pair bounds."""

    def __init__(self, model: Model) -> None:
        self.model = model
        K, n_opt, G = model.K, model.O, model.G
        den = model.group_size - 1.0 + PRIOR_WEIGHT
        self.inv_den = (1.0 / den).astype(np.float32)
        # Slots, slot-major (S × K): per item the options that count for x (the reference's
        # ``ri != key``), padded with a code no answer has; an item whose key is None has
        # every option in its slots (none of them wrong).
        counted = np.arange(n_opt)[None, :] != model.key[:, None]
        self.S = S = max(1, int(counted.sum(1).max()))
        slots = np.full((S, K), -99, dtype=np.int16)
        wrong_slot = np.zeros((S, K), dtype=bool)
        for k in range(K):
            opts = np.nonzero(counted[k])[0]
            slots[:len(opts), k] = opts
            wrong_slot[:len(opts), k] = model.wrong[k, opts]
        self.slots = slots.astype(np.int8) if model.R.dtype == np.int8 else slots
        self.wrong_slot = None if wrong_slot[slots >= 0].all() else wrong_slot.reshape(1, S * K).astype(np.float32)
        prior = PRIOR_WEIGHT * model.overall[None, :, :]
        base = (model.counts + prior) / den[:, None, None] * model.wrong[None]
        safe = np.where(slots >= 0, slots, 0).T.astype(np.int64)  # K × S
        slot_base = np.take_along_axis(base, np.broadcast_to(safe[None], (G, K, S)), axis=2)  # G × K × S
        slot_base = np.where((slots >= 0).T[None], slot_base, 0.0)
        self.base = np.ascontiguousarray(slot_base.transpose(0, 2, 1)).reshape(G, S * K).astype(np.float32)
        # float32 rounding of W_i·W_j: at most (terms + a few roundings per term) units of
        # 2⁻²⁴ relative to the (non-negative) sum — the classical dot-product bound — plus the
        # rounding of each W element (≤ 2⁻²³ absolute; a row sums to ≤ 1 per item).
        self.eps = (S * K + 16) * 2.0 ** -24
        self.eps_abs = 4 * K * 2.0 ** -24
        # Group-pair bounds: own answer counted (low) or not (high) in every P(o | k).
        low = (np.maximum(model.counts - 1.0, 0.0) + prior) / den[:, None, None] * model.wrong[None]
        high = (model.counts + prior) / den[:, None, None] * model.wrong[None]
        p_low = np.einsum("gko,hko->ghk", low, low).reshape(G * G, K)
        p_high = np.einsum("gko,hko->ghk", high, high).reshape(G * G, K)
        self.tail_low = _tails(p_low).ravel()
        self.tail_high = _tails(p_high).ravel()
        s2_low, s2_high = (p_low ** 2).sum(1), (p_high ** 2).sum(1)
        self.s2_mid = ((s2_low + s2_high) / 2).astype(np.float32)
        self.s2_half = ((s2_high - s2_low) / 2 * (1 + 1e-6) + 1e-12).astype(np.float32)
        self.where = np.full(model.N, -1, dtype=np.int64)
        self.options = np.empty(len(model.options), dtype=object)
        self.options[:] = model.options

    def rooms(self, idx: np.ndarray, results: list[RoomResult], alpha: float) -> np.ndarray:
        """Screen a batch of rooms of equal size n (idx: B × n sheet indices); returns the histogram."""
        model = self.model
        B, n = idx.shape
        K, S, G = model.K, self.S, model.G
        flat = idx.ravel()
        group = model.group[flat]
        A = np.empty((len(flat), S, K), dtype=np.float32)
        np.equal(model.R[flat][:, None, :], self.slots[None], out=A, casting="unsafe")
        A = A.reshape(len(flat), S * K)
        W = np.take(self.base, group, axis=0)
        W -= A * self.inv_den[group][:, None]
        if self.wrong_slot is not None:
            W *= self.wrong_slot
        a, b = np.triu_indices(n, 1)
        x = _gram(A, B, n)[:, a, b]
        mu = _gram(W, B, n)[:, a, b]
        del A, W
        gp = group.astype(np.int32).reshape(B, n)
        pair_group = gp[:, a] * np.int32(G)
        pair_group += gp[:, b]
        # z's interval: var = E[x] − Σp² with Σp² in [mid ± half] and E[x] within err of mu.
        err = mu * np.float32(self.eps)
        err += np.float32(self.eps_abs)
        err += x * np.float32(2.0 ** -23)  # and the rounding of x − mu below
        half = self.s2_half[pair_group]
        half += err
        var = mu - self.s2_mid[pair_group]
        var_low = var - half
        floor_low = np.maximum(var_low, np.float32(1e-12))
        d = x - mu
        z = d / np.sqrt(np.maximum(var, np.float32(1e-12)))
        # |z − z_true| ≤ (err + |d|·half / (2·var_low)) / √var_low, plus the float32 arithmetic of
        # these lines (≤ 1e-5·(1 + |z|); |z| > 11 is beyond every interior bin edge anyway).
        width = np.abs(d)
        width *= half
        width /= 2 * floor_low
        width += err
        width /= np.sqrt(floor_low)
        width += np.float32(1.2e-4)
        top = round((HIST_HI - HIST_LO) / HIST_STEP)
        pos = z - np.float32(HIST_LO)
        pos *= np.float32(1.0 / HIST_STEP)
        edge_gap = pos - np.rint(pos)
        np.abs(edge_gap, out=edge_gap)
        edge_gap *= np.float32(HIST_STEP)
        unsure = edge_gap <= width
        unsure |= var_low < 1e-4
        bins = np.clip(np.floor(pos), 0, top - 1).astype(np.int64)
        hist = np.bincount(bins.ravel(), minlength=top)
        ia_all = idx[:, a]
        ib_all = idx[:, b]
        if unsure.any():
            hist -= np.bincount(bins[unsure], minlength=top)
            ia, ib = ia_all[unsure], ib_all[unsure]
            pw, index = self._probs(ia, ib)
            z_exact = pair_moments(model, ia, ib, pw=pw, index=index)[2]
            hist += np.histogram(np.clip(z_exact, HIST_LO, HIST_HI - 1e-9), bins=hist_edges())[0]
        # The exact tail only where the bounds leave the decision or the room minimum open.
        m = n * (n - 1) // 2
        limit = alpha / m
        cell = pair_group * np.int32(K + 2)
        cell += np.minimum(x.astype(np.int32), K + 1)  # x is an exact integer in float32
        low = self.tail_low[cell]
        need = low <= self.tail_high[cell].min(axis=1, keepdims=True) * (1 + _SAFETY)
        need |= low <= limit * (1 + _SAFETY)
        rows, cols = np.nonzero(need)
        ia, ib = ia_all[rows, cols], ib_all[rows, cols]
        pw, index = self._probs(ia, ib)
        xe, mue, ze, pv = pair_statistics(model, ia, ib, pw=pw, index=index)
        room_min = np.full(B, np.inf)
        np.minimum.at(room_min, rows, pv)
        for room_no in range(B):
            results[room_no].min_p = float(room_min[room_no])
        hit = np.nonzero(pv <= limit)[0]
        if len(hit):
            Ri, Rj = model.R[ia[hit]], model.R[ib[hit]]
            same = (Ri == Rj) & (Ri >= 0) & (Ri != model.key[None, :])
            for t, row, item_row, code_row in zip(hit.tolist(), rows[hit].tolist(), same, Ri, strict=True):
                room = results[row]
                ks = np.nonzero(item_row)[0]
                shared = list(zip((ks + 1).tolist(), self.options[code_row[ks]].tolist(), strict=True))
                col = int(cols[t])
                room.flagged.append(PairResult(
                    a=room.candidates[int(a[col])], b=room.candidates[int(b[col])],
                    identical_incorrect=int(xe[t]), expected=float(mue[t]), z=float(ze[t]), p_value=float(pv[t]),
                    shared_items=shared))
            for row in set(rows[hit].tolist()):
                results[row].flagged.sort(key=lambda r: r.p_value)
        return hist

    def _probs(self, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``wrong_probs`` of the sheets involved, with the index ``pair_statistics`` expects."""
        members = np.unique(np.concatenate([ia, ib]))
        self.where[members] = np.arange(len(members))
        return self.model.wrong_probs(members), self.where


def _gram(F: np.ndarray, B: int, n: int) -> np.ndarray:
    """F_i · F_j for every two rows of each room: one batched matrix product."""
    F3 = F.reshape(B, n, F.shape[1])
    return np.matmul(F3, F3.transpose(0, 2, 1))


def _tails(p: np.ndarray) -> np.ndarray:
    """T[r, c] = P(X_r ≥ c), c = 0 … K + 1, for X_r = Σ_k Bernoulli(p[r, k]) (full distribution)."""
    rows, K = p.shape
    dist = np.zeros((rows, K + 2))
    dist[:, 0] = 1.0
    for k in range(K):
        q = p[:, k:k + 1]
        moved = dist * q
        dist *= 1.0 - q
        dist[:, 1:] += moved[:, :-1]
    return np.cumsum(dist[:, ::-1], axis=1)[:, ::-1]


# --- calibration on real data ---------------------------------------------------------------


@dataclass
class CrossRoomNull:
    """Pairs of examinees in different rooms cannot have copied from each other: the share of
    them a rule flags is that rule's empirical false-positive rate on these examinees."""

    pairs: int
    rates: dict[float, float]  # nominal per-pair α → share of cross-room pairs with p ≤ α
    mean_x: float
    mean_expected: float


def cross_room_null(sheets: Sequence[Sheet], *, levels: Iterable[float] = (0.05, 0.01, 0.001, 0.0001),
                    sample: int | None = None, seed: int = 0, chunk: int = 20_000) -> CrossRoomNull:
    """Every cross-room pair (or a seeded random ``sample`` of them) through the pair test."""
    model = Model(sheets)
    rooms = np.array([s.room for s in sheets])
    if sample is None:
        a, b = np.triu_indices(model.N, 1)
        keep = rooms[a] != rooms[b]
        ia_all, ib_all = a[keep], b[keep]
    else:
        rng = np.random.default_rng(seed)
        ia_all = rng.integers(0, model.N, sample * 2)
        ib_all = rng.integers(0, model.N, sample * 2)
        keep = rooms[ia_all] != rooms[ib_all]
        ia_all, ib_all = ia_all[keep][:sample], ib_all[keep][:sample]
    pw = model.wrong_probs(np.arange(model.N))
    index = np.arange(model.N)
    levels = sorted(levels, reverse=True)
    hits = dict.fromkeys(levels, 0)
    sx = smu = 0.0
    for start in range(0, len(ia_all), chunk):
        ia, ib = ia_all[start:start + chunk], ib_all[start:start + chunk]
        x, mu, _z, pv = pair_statistics(model, ia, ib, pw=pw, index=index)
        sx += float(x.sum())
        smu += float(mu.sum())
        for level in levels:
            hits[level] += int((pv <= level).sum())
    total = len(ia_all)
    return CrossRoomNull(pairs=total, rates={lv: hits[lv] / total for lv in levels},
                         mean_x=sx / total, mean_expected=smu / total)


@dataclass
class PseudoRooms:
    """Rooms assembled from examinees of *different* real rooms (honest by construction)."""

    rooms: int
    rooms_with_flagged_pair: int
    rooms_reaching_rule: int


def pseudo_room_null(sheets: Sequence[Sheet], *, alpha: float = DEFAULT_ALPHA, fraction: Fraction,
                     inclusive: bool = True, repeats: int = 20, seed: int = 0) -> PseudoRooms:
    """Shuffle examinees into rooms of the real size distribution, rejecting any room that
    holds two examinees from the same real room, and apply the whole room rule."""
    rng = np.random.default_rng(seed)
    real = [s.room for s in sheets]
    sizes = sorted((real.count(r) for r in set(real)), reverse=True)
    total = with_pair = reaching = 0
    for rep in range(repeats):
        order = rng.permutation(len(sheets))
        pool = list(order)
        shuffled: list[Sheet] = []
        for number, size in enumerate(sizes):
            chosen: list[int] = []
            seen: set[str] = set()
            rest: list[int] = []
            for i in pool:
                if len(chosen) < size and real[i] not in seen:
                    chosen.append(i)
                    seen.add(real[i])
                else:
                    rest.append(i)
            pool = rest
            shuffled += [Sheet(sheets[i].examinee, f"p{rep}-{number}", sheets[i].answers) for i in chosen]
        result = screen(shuffled, alpha=alpha)
        for room in result.rooms:
            if room.pairs == 0:
                continue
            total += 1
            with_pair += bool(room.flagged)
            reaching += bool(room.reaches(fraction, inclusive=inclusive))
    return PseudoRooms(rooms=total, rooms_with_flagged_pair=with_pair, rooms_reaching_rule=reaching)


def format_p(p: float) -> str:
    if p >= 0.001:
        return f"{p:.3f}"
    exponent = math.floor(math.log10(p)) if p > 0 else -300
    mantissa = p / 10 ** exponent if p > 0 else 0.0
    return f"{mantissa:.1f}×10{str(exponent).translate(_SUPERSCRIPT)}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
