"""What every benchmark shares: scales, databases, medians, the machine's description.

Benchmarks are not tests: nothing here asserts a time. Each script prints its medians and
the ratio against a baseline measured in the same run, and writes them as JSON under
``var/bench/`` for ``bench/run.py`` to collect.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OUT_DIR = Path(os.environ.get("BENCH_OUT", ROOT / "var" / "bench"))
# The local PostgreSQL server, as CI reaches it; a bench database per scale is created on it.
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class Scale:
    name: str
    certificates: int
    institutions: int  # directory entries
    runs: int  # repetitions of each measurement; the median is reported
    wrk_seconds: int
    search_repeats: int  # timed calls of each query per run


SCALES = {
    "small": Scale("small", certificates=100_000, institutions=10_000, runs=3, wrk_seconds=5, search_repeats=10),
    "full": Scale("full", certificates=10_000_000, institutions=100_000, runs=3, wrk_seconds=15,
                  search_repeats=20),
}


def scale_from_argv(default: str = "small") -> Scale:
    name = os.environ.get("SCALE", default)
    for i, arg in enumerate(sys.argv):
        if arg == "--scale" and i + 1 < len(sys.argv):
            name = sys.argv[i + 1]
        elif arg.startswith("--scale="):
            name = arg.split("=", 1)[1]
    if name not in SCALES:
        raise SystemExit(f"unknown scale {name!r}: one of {', '.join(SCALES)}")
    return SCALES[name]


def pg_url(db: str) -> str:
    return f"{PG_BASE}/{db}"


def ensure_pg_database(db: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db}"')


def migrate(database_url: str) -> None:
    """The project's own migrations, run the way an operator runs them."""
    env = {**os.environ, "DATABASE_URL": database_url, "SKILLREG_VAR_DIR": str(OUT_DIR / "var")}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def setup_django(database_url: str, **settings_env: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SKILLREG_VAR_DIR", str(OUT_DIR / "var"))
    os.environ.update(settings_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillreg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> dict[str, Any]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    load = os.getloadavg()
    cpu_model = ""
    with contextlib.suppress(OSError):
        cpu_model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                          if ln.startswith("model name")), "")
    return {"cpus": os.cpu_count(), "cpu_model": cpu_model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load_avg_1m_at_start": round(load[0], 2),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed_ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def write_result(name: str, scale: Scale, result: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}-{scale.name}.json"
    payload = {"benchmark": name, "scale": scale.name, "machine": machine(), **result}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    return path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
