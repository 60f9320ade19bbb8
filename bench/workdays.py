"""Figure 6: working-day arithmetic from the precomputed year tables.

    .venv/bin/python -m bench.workdays [--scale small|full]

Times ``add_workdays`` and ``workdays_between`` on one ``WorkCalendar`` (what a sweep or a
worklist does: the year tables are built once) against the same calendar walked day by day
(the implementation before issue 8, kept here as the baseline), in the same run, and the
module function that makes a fresh calendar per call (its two database queries included).
Starts spread over 2024-2027 across the Spring Festival and National Day holidays and their
make-up days; counts 1-250. Every answer of the tables is checked against the walk.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from bench.common import OUT_DIR, log, machine, median, migrate, scale_from_argv, setup_django, write_result


def _walk(calendar: Any, start: dt.date, n: int) -> Any:
    from skillreg.workdays.calendar import WorkdayResult

    date, counted, provisional = start, 0, False
    while counted < n:
        date += dt.timedelta(days=1)
        info = calendar.day(date)
        provisional = provisional or info.provisional
        counted += info.is_workday
    return WorkdayResult(date, provisional)


def main() -> None:
    scale = scale_from_argv()
    url = f"sqlite:///{OUT_DIR / 'workdays.sqlite3'}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    migrate(url)
    setup_django(url)
    from skillreg.workdays.calendar import WorkCalendar, add_workdays

    rnd = random.Random(6)
    cases = [(dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(4 * 365)), rnd.choice((1, 5, 10, 20, 60, 250)))
             for _ in range(2000)]
    calendar = WorkCalendar()
    calendar.preload(dt.date(2024, 1, 1), dt.date(2029, 12, 31))
    for start, n in cases:
        assert calendar.add_workdays(start, n) == _walk(calendar, start, n), (start, n)

    def per_call_us(fn: Any, items: list[tuple[dt.date, int]]) -> float:
        started = time.perf_counter()
        for start, n in items:
            fn(start, n)
        return (time.perf_counter() - started) / len(items) * 1e6

    runs = []
    for _ in range(scale.runs * 2):
        runs.append({
            "table_add_us": per_call_us(calendar.add_workdays, cases),
            "table_between_us": per_call_us(
                lambda s, n: calendar.workdays_between(s, s + dt.timedelta(days=n * 7 // 5)), cases),
            "walk_add_us": per_call_us(lambda s, n: _walk(calendar, s, n), cases[:400]),
            "module_add_us": per_call_us(lambda s, n: add_workdays(s, n), cases[:200]),
        })
    summary = {key: median([r[key] for r in runs]) for key in runs[0]}
    summary["walk_over_table"] = summary["walk_add_us"] / summary["table_add_us"]
    m = machine()
    print(f"\nWorking-day arithmetic (2,000 cases, counts 1-250, 2024-2027; median of {len(runs)} runs; "
          f"{m['cpus']} CPUs, load {m['load_avg_1m_at_start']})")
    print(f"add_workdays, year tables, one calendar: {summary['table_add_us']:8.1f} µs per call")
    print(f"workdays_between, year tables:          {summary['table_between_us']:8.1f} µs per call")
    print(f"add_workdays walked day by day (before): {summary['walk_add_us']:8.1f} µs per call "
          f"({summary['walk_over_table']:.0f}x the tables)")
    print(f"add_workdays(), fresh calendar per call: {summary['module_add_us']:8.1f} µs per call (2 queries, SQLite)")
    path = write_result("workdays", scale, {"runs": runs, "summary": summary})
    log(f"written {path}")


if __name__ == "__main__":
    main()
