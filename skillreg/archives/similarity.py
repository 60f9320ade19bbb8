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
        self.options: list[Option] = options
        code = {o: c for c, o in enumerate(options)}
        self.R = np.array([[-1 if a is None else code[a] for a in s.answers] for s in sheets], dtype=np.int16)
        self.N, self.K = self.R.shape
        self.O = max(len(options), 1)
        onehot = self.R[:, :, None] == np.arange(self.O, dtype=np.int16)[None, None, :]
        if key is None:
            counts = onehot.sum(0)  # K × O; argmax takes the first (smallest option) on ties
            self.key = counts.argmax(1).astype(np.int16)
            self.key_derived = True
        else:
            self.key = np.array([-2 if k is None else code[k] for k in key], dtype=np.int16)
            self.key_derived = False
        self.score = (self.key[None, :] == self.R).sum(1)
        self.G = max(1, min(MAX_GROUPS, self.N // MIN_GROUP))
        order = np.argsort(self.score, kind="stable")
        self.group = np.empty(self.N, dtype=np.int64)
        self.group[order] = np.arange(self.N) * self.G // self.N
        self.group_size = np.bincount(self.group, minlength=self.G).astype(np.float64)
        self.counts = np.zeros((self.G, self.K, self.O))
        for g in range(self.G):
            self.counts[g] = onehot[self.group == g].sum(0)
        self.overall = onehot.sum(0) / self.N
        # Options that are wrong on each item; a key of None (item dropped) makes none wrong.
        self.wrong = (np.arange(self.O)[None, :] != self.key[:, None]) & (self.key[:, None] >= 0)

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
    if pw is None or index is None:
        pw, index = model.wrong_probs(np.arange(model.N)), np.arange(model.N)
    ri, rj = model.R[ia], model.R[ib]
    same_wrong = (ri == rj) & (ri >= 0) & (ri != model.key[None, :])
    x = same_wrong.sum(1)
    p = np.einsum("nko,nko->nk", pw[index[ia]], pw[index[ib]])
    mu = p.sum(1)
    sd = np.sqrt((p * (1.0 - p)).sum(1))
    z = np.where(sd > 0, (x - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    return x, mu, z, poisson_binomial_sf(p, x)


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


def screen(sheets: Sequence[Sheet], *, alpha: float = DEFAULT_ALPHA, key: Sequence[Option | None] | None = None,
           progress: Callable[[int, int], None] | None = None, batch_pairs: int = 200_000) -> Screening:
    """Screen every pair of candidates in the same room; see the module docstring.

    Rooms are processed in batches of about ``batch_pairs`` pairs, so memory stays bounded
    for large sittings while the per-pair work runs vectorised.
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
