"""Run every benchmark at one scale on the local PostgreSQL server (and SQLite where the figure asks).

    .venv/bin/python -m bench.run --scale small     # seconds to a few minutes
    .venv/bin/python -m bench.run --scale full      # 10^7 certificates: the first load takes ~20 min

Each benchmark runs in its own process (its own DATABASE_URL) and writes var/bench/<name>-<scale>.json;
this prints their summaries (bench/README.md has the latest).
"""

from __future__ import annotations

import subprocess
import sys

from bench.common import PYTHON, ROOT, log, machine, scale_from_argv

STEPS = [
    ("certificates", ["-m", "bench.certificates", "all"]),
    ("directory (SQLite)", ["-m", "bench.directory", "--db", "sqlite"]),
    ("directory (PostgreSQL)", ["-m", "bench.directory", "--db", "postgres"]),
    ("workdays", ["-m", "bench.workdays"]),
    ("similarity", ["-m", "bench.similarity"]),  # figure 4: numpy only, no database
    ("roster", ["-m", "bench.roster"]),  # figure 3: .xlsx import vs python-calamine, PostgreSQL
    ("pages", ["-m", "bench.pages"]),  # figure 5: worklists, dashboards, directory pages; PostgreSQL
]


def main() -> None:
    scale = scale_from_argv()
    m = machine()
    log(f"bench scale={scale.name} on {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, "
        f"load {m['load_avg_1m_at_start']}")
    only = [a for a in sys.argv[1:] if a in {"certificates", "directory", "workdays", "similarity", "roster",
                                         "pages"}]
    failed = []
    for name, args in STEPS:
        if only and not any(name.startswith(o) for o in only):
            continue
        log(f"== {name}")
        if subprocess.run([PYTHON, *args, "--scale", scale.name], cwd=ROOT).returncode != 0:
            failed.append(name)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
