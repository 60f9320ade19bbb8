"""Figure 4 of issue 8: answer-sheet similarity screening at national scale.

    .venv/bin/python -m bench.similarity --scale small     # 20,000 sheets: seconds
    .venv/bin/python -m bench.similarity --scale full      # 1,000,000 sheets × 100 items, rooms of 50

Generates a seeded sitting (four-option items, examinees of varied ability, item difficulties
and distractor attractiveness, 1 % omissions, and copying planted in 1 % of the rooms), then
measures in the same process, alternating, several times:

* the baseline: a plain NumPy one-hot matrix product per room that only counts identical
  answers in the same rooms (float32, batched ``matmul``; the pair counts are extracted);
* the screening: ``archives.similarity.screen_codes`` end to end on the same coded matrix —
  option counts, score groups, every within-room pair's x, E[x], z and histogram, the exact
  tail where it can matter, flagged pairs and each room's verdict (the full statistic of
  archives/SIMILARITY.md).

Prints medians with the CPU count and writes var/bench/similarity-<scale>.json. Peak memory:
the process's peak RSS (``resource.getrusage``: input data, baseline and screening together)
and, from one extra traced run, the screening's own peak allocation (``tracemalloc``, which
numpy reports its buffers to). BLAS threads: ``--blas-threads`` (default 1, set before numpy
loads; both measurements use the same setting). Benchmarks are not tests: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = {
    # sheets, items, room size, timed runs of each
    "small": (20_000, 100, 50, 5),
    "medium": (200_000, 100, 50, 3),
    "full": (1_000_000, 100, 50, 3),
}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default=os.environ.get("SCALE", "small"), choices=sorted(SCALES))
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each (default by scale)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--no-trace", action="store_true", help="skip the traced run (tracemalloc)")
    return parser.parse_args()


ARGS = _args()
# Before numpy loads: OpenBLAS sizes its thread pool once. On a shared 2-core machine the
# default (one thread per core) makes small batched products erratic (spinning threads).
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)
os.environ["OMP_NUM_THREADS"] = str(ARGS.blas_threads)
sys.path.insert(0, str(ROOT))

import resource  # noqa: E402
import statistics  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from skillreg.archives import similarity  # noqa: E402

OPTIONS = [1, 2, 3, 4]


def generate(n_sheets: int, items: int, room_size: int,
             seed: int) -> tuple[np.ndarray, np.ndarray, list[str], set[int]]:
    """Coded answers (int8, −1 omitted), room per sheet, examinee ids, and the rooms with copying
    (the even-numbered ones of ``sorted(planted)`` hold 17 copying candidates, the others 2)."""
    rng = np.random.default_rng(seed)
    n_opt = len(OPTIONS)
    key = rng.integers(0, n_opt, items)
    difficulty = rng.normal(0.0, 1.0, items)
    # Distractors are not equally attractive: one strong, one middling, one weak per item.
    lure = rng.dirichlet([4.0, 2.0, 1.0], items)
    wrong = np.array([[o for o in range(n_opt) if o != key[k]] for k in range(items)])
    lure_cum = np.cumsum(lure, axis=1)
    R = np.empty((n_sheets, items), dtype=np.int8)
    chunk = 100_000
    for start in range(0, n_sheets, chunk):
        stop = min(n_sheets, start + chunk)
        theta = rng.normal(0.3, 1.0, stop - start)
        p_right = 1.0 / (1.0 + np.exp(-(theta[:, None] - difficulty[None, :]) * 1.2))
        u = rng.random((stop - start, items))
        pick = (rng.random((stop - start, items))[:, :, None] > lure_cum[None, :, :2]).sum(2)
        block = np.take_along_axis(np.broadcast_to(wrong, (stop - start, items, n_opt - 1)),
                                   pick[:, :, None], axis=2)[:, :, 0]
        block = np.where(u < p_right, key[None, :], block)
        block = np.where(rng.random((stop - start, items)) < 0.01, -1, block)
        R[start:stop] = block
    rooms = np.repeat(np.arange(n_sheets // room_size + 1), room_size)[:n_sheets]
    n_rooms = int(rooms[-1]) + 1
    # Copying planted in 1 % of the rooms: in half of them 16 candidates copy one weak neighbour
    # (17 of 50 ≥ 1/3: the room reaches 000 三(三)8); in the other half one candidate copies.
    # Each copier changes 8 of the answers.
    planted = set(rng.choice(n_rooms - 1, size=max(2, n_rooms // 100), replace=False).tolist())
    for number, room in enumerate(sorted(planted)):
        first = room * room_size
        source = first + int(np.argmin((R[first:first + room_size] == key[None, :]).sum(1)))
        copiers = [i for i in range(first, first + room_size) if i != source][:16 if number % 2 == 0 else 1]
        for i in copiers:
            R[i] = R[source]
            changed = rng.choice(items, 8, replace=False)
            R[i, changed] = rng.integers(0, n_opt, 8)
    examinees = [f"E{i:07d}" for i in range(n_sheets)]
    return R, rooms, examinees, planted


def baseline(R: np.ndarray, room_size: int, batch_sheets: int = 25_000) -> int:
    """Identical answers of every two sheets in the same room: one-hot, batched matmul, pair counts."""
    n_sheets, items = R.shape
    n_opt = len(OPTIONS)
    a, b = np.triu_indices(room_size, 1)
    arange = np.arange(n_opt, dtype=np.int8)
    per = (batch_sheets // room_size) * room_size
    total = 0
    for start in range(0, n_sheets - n_sheets % room_size, per):
        block = R[start:start + per]
        rooms = len(block) // room_size
        onehot = np.empty((len(block), items, n_opt), dtype=np.float32)
        np.equal(block[:, :, None], arange, out=onehot, casting="unsafe")  # one-hot without a bool copy
        onehot = onehot.reshape(rooms, room_size, items * n_opt)
        same = np.matmul(onehot, onehot.transpose(0, 2, 1))[:, a, b]
        total += int(same.sum(dtype=np.float64))
    return total


def screening(R: np.ndarray, rooms: np.ndarray, examinees: list[str]) -> similarity.Screening:
    return similarity.screen_codes(R, OPTIONS, rooms, examinees, alpha=similarity.DEFAULT_ALPHA)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    n_sheets, items, room_size, runs = SCALES[ARGS.scale]
    runs = ARGS.runs or runs
    machine = {"cpus": os.cpu_count(), "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
               "python": sys.version.split()[0], "numpy": np.__version__, "blas_threads": ARGS.blas_threads,
               "date": time.strftime("%Y-%m-%d %H:%M %Z")}
    print(f"similarity bench, scale={ARGS.scale}: {n_sheets:,} sheets × {items} items, rooms of {room_size}; "
          f"{machine['cpus']} CPUs, load {machine['load_avg_1m_at_start']}, BLAS threads {ARGS.blas_threads}",
          flush=True)
    started = time.perf_counter()
    R, rooms, examinees, planted = generate(n_sheets, items, room_size, ARGS.seed)
    print(f"generated in {time.perf_counter() - started:.1f} s ({len(planted)} rooms with planted copying); "
          f"peak RSS so far {_rss_mb():.0f} MB", flush=True)
    base_times: list[float] = []
    screen_times: list[float] = []
    cpu = {"baseline": [], "screening": []}  # process CPU seconds: steadier than wall time on a shared machine
    result = None
    for run in range(runs):
        order = [("baseline", base_times), ("screening", screen_times)]
        for name, times in order if run % 2 == 0 else order[::-1]:
            tick, tock = time.perf_counter(), time.process_time()
            if name == "baseline":
                baseline(R, room_size)
            else:
                result = screening(R, rooms, examinees)
            times.append(time.perf_counter() - tick)
            cpu[name].append(time.process_time() - tock)
            print(f"  run {run + 1} {name}: {times[-1]:.2f} s wall, {cpu[name][-1]:.2f} s CPU", flush=True)
    assert result is not None
    traced_mb = None
    if not ARGS.no_trace:
        tracemalloc.start()
        screening(R, rooms, examinees)
        traced_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    reached = {int(r.room) for r in result.rooms if r.reaches(similarity.Fraction(1, 3))}
    big = {room for number, room in enumerate(sorted(planted)) if number % 2 == 0}
    with_pair = {int(r.room) for r in result.rooms if r.flagged}
    out = {
        "benchmark": "similarity", "scale": ARGS.scale, "machine": machine, "sheets": n_sheets, "items": items,
        "room_size": room_size, "pairs": result.total_pairs, "runs": runs,
        "baseline_s": base_times, "screening_s": screen_times,
        "baseline_median_s": statistics.median(base_times), "screening_median_s": statistics.median(screen_times),
        "ratio": statistics.median(screen_times) / statistics.median(base_times),
        "baseline_cpu_s": cpu["baseline"], "screening_cpu_s": cpu["screening"],
        "cpu_ratio": statistics.median(cpu["screening"]) / statistics.median(cpu["baseline"]),
        "peak_rss_mb": round(_rss_mb(), 1), "screening_traced_peak_mb": traced_mb and round(traced_mb, 1),
        "flagged_pairs": sum(len(r.flagged) for r in result.rooms), "planted_rooms": len(planted),
        "rooms_with_16_copiers": len(big), "of_them_reaching_1_3": len(reached & big),
        "rooms_with_one_copier": len(planted - big),
        "of_them_with_a_flagged_pair": len(with_pair & (planted - big)),
        "honest_rooms_with_a_flagged_pair": len(with_pair - planted),
        "honest_rooms_reaching_1_3": len(reached - planted),
    }
    print(f"pairs {out['pairs']:,}; baseline median {out['baseline_median_s']:.2f} s; "
          f"screening median {out['screening_median_s']:.2f} s; ratio {out['ratio']:.2f}× (target ≤ 5×, < 15 s); "
          f"CPU medians {statistics.median(cpu['baseline']):.2f} s / {statistics.median(cpu['screening']):.2f} s, "
          f"ratio {out['cpu_ratio']:.2f}×; "
          f"peak RSS {out['peak_rss_mb']:.0f} MB; screening traced peak "
          f"{'—' if traced_mb is None else f'{traced_mb:.0f} MB'} (target < 2 GB)")
    print(f"rooms with 16 copiers reaching 1/3: {out['of_them_reaching_1_3']} of {len(big)}; rooms with one "
          f"copier flagged: {out['of_them_with_a_flagged_pair']} of {len(planted - big)}; honest rooms with a "
          f"flagged pair: {out['honest_rooms_with_a_flagged_pair']} of {len(result.rooms) - len(planted)} "
          f"(α = 0.001 per room), reaching 1/3: {out['honest_rooms_reaching_1_3']}; "
          f"flagged pairs {out['flagged_pairs']:,}")
    out_dir = Path(os.environ.get("BENCH_OUT", ROOT / "var" / "bench"))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"similarity-{ARGS.scale}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
