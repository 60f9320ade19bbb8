"""Figure 2: directory search at 100,000 institutions, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.directory --db sqlite|postgres [--scale small|full] [--load-only]
    .venv/bin/python -m bench.directory --db sqlite --scale full --from-postgres   # copy, don't build

Loads N institutions with their published directory entries (a few with an older, superseded
version), indexed by the same function ``directory.publish`` uses (models/search.py), then
times what GET /api/v1/public/institutions does for a query — the count, the first page of
20, each item's public record — for Chinese queries of one, two and more characters on the
name (``q``) and on the scope (``occupation``, with and without a level). Each run times every
query ``search_repeats`` times; p50/p99 are per run, the median of the runs is reported.

Same run, same data: the search before issue 8 (bench/legacy_directory.py, a JSON scan) and
a floor, one entry fetched by its code (``entry_current``), which every figure is divided by.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from bench.common import (
    OUT_DIR,
    Scale,
    ensure_pg_database,
    log,
    machine,
    median,
    migrate,
    percentile,
    pg_url,
    scale_from_argv,
    setup_django,
    write_result,
)
from bench.datagen import Generator, national_body_code

LEVEL_LABELS = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}

# (category, filters). Names are built from place + trade + industry + kind suffix, so
# 技/职业技能 match nearly every entry, 电/电力 a few percent, 焊工 (a scope) a few percent.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("1 char", {"q": "电"}), ("1 char", {"q": "焊"}), ("1 char", {"q": "鑫"}), ("1 char", {"q": "技"}),
    ("1 char", {"occupation": "焊"}), ("1 char", {"occupation": "茶"}),
    ("2 chars", {"q": "电力"}), ("2 chars", {"q": "烹饪"}), ("2 chars", {"q": "成都"}), ("2 chars", {"q": "家政"}),
    ("2 chars", {"occupation": "电工"}), ("2 chars", {"occupation": "焊工"}),
    ("2 chars", {"occupation": "电工", "level": 2}), ("2 chars", {"q": "电力", "region": "51"}),
    ("3+ chars", {"q": "职业技能"}), ("3+ chars", {"q": "成都市"}), ("3+ chars", {"q": "电力职业技能"}),
    ("3+ chars", {"q": "养老服务"}), ("3+ chars", {"occupation": "中式烹调师"}),
    ("3+ chars", {"occupation": "养老护理", "level": 4}), ("3+ chars", {"q": "成都 鉴定"}),
]


def database_url(db: str, scale: Scale) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT_DIR / f'directory-{scale.name}.sqlite3'}"
    name = f"skillreg_bench_dir_{scale.name}"
    ensure_pg_database(name)
    return pg_url(name)


def load(scale: Scale) -> None:
    from django.db import connection, transaction

    from skillreg.accounts.models import Authority
    from skillreg.core import clock
    from skillreg.registry.models import DirectoryEntry, DirectorySearchRow, Institution
    from skillreg.registry.models.search import index_entries

    have = DirectoryEntry.objects.filter(superseded_at__isnull=True).count()
    if have == scale.institutions and DirectorySearchRow.objects.count() == have:
        log(f"{scale.institutions:,} entries already loaded")
        return
    if have:
        raise SystemExit(f"the bench database holds {have} entries, not {scale.institutions}: delete it first")
    gen = Generator(seed=4)
    started = time.monotonic()
    now = clock.now()
    with transaction.atomic():
        authority = Authority.objects.create(name="基准测试人力资源和社会保障厅", region_code="510000",
                                             region_name="四川省", level=Authority.Level.PROVINCE)
        institutions = []
        for i in range(scale.institutions):
            region, place = gen.region()
            kind = gen.kind()
            r = gen.rnd.random()
            status = "filed" if r < 0.90 else "suspended" if r < 0.94 else "expired" if r < 0.97 else "cancelled"
            institutions.append(Institution(
                name=gen.institution_name(place, kind), credit_code=gen.credit_code(region, i + 1), body_kind=kind,
                legal_representative=gen.person_name(), address=f"{place}人民路{i + 1}号", region_code=region,
                head_name=gen.person_name(), authority=authority, pack_id="sc-2021-appraisal", status=status,
                registered_at=now, code=national_body_code("Y" if kind == "enterprise" else "S", region[:2], i + 1),
                valid_until=dt.date(2027, 1, 1) + dt.timedelta(days=int(gen.rnd.random() * 1500))))
        Institution.objects.bulk_create(institutions, batch_size=2000)
        entries = []
        for inst in institutions:
            record = {
                "name": inst.name, "code": inst.code, "region_code": inst.region_code, "authority": authority.name,
                "pack_id": inst.pack_id, "body_kind": inst.body_kind, "status": inst.status,
                "valid_until": inst.valid_until.isoformat() if inst.valid_until else None,
                "scope": [{"name": name, "levels": [LEVEL_LABELS[lv] for lv in levels]}
                          for name, levels in gen.scope()],
                "address": inst.address, "head": inst.head_name,
            }
            versions = 2 if gen.rnd.random() < 0.1 else 1
            for v in range(1, versions + 1):
                current = v == versions
                entries.append(DirectoryEntry(
                    institution=inst, version=v, data=record if current else {**record, "name": inst.name + "（旧）"},
                    published_at=now - dt.timedelta(days=400 - 300 * v),
                    superseded_at=None if current else now - dt.timedelta(days=400 - 300 * (v + 1)),
                    active=inst.status in ("filed", "suspended")))
        DirectoryEntry.objects.bulk_create(entries, batch_size=2000)
        current_entries = [e for e in entries if e.superseded_at is None]
        index_entries(current_entries, batch_size=5000)
    # The steady state autovacuum keeps a live database in: statistics and visibility maps.
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            for table in ("registry_directoryentry", "registry_directorysearchrow", "registry_directorysearchscope",
                          "registry_directorysearchgram", "registry_directorysearchoccupation",
                          "registry_directorysearchgramcount", "registry_institution"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"loaded {scale.institutions:,} institutions, {len(entries):,} entries in {time.monotonic() - started:.0f} s")


# The tables a directory bench database holds, parents first.
COPIED_TABLES = ("accounts_authority", "registry_institution", "registry_directoryentry", "registry_directorysearchrow",
                 "registry_directorysearchscope", "registry_directorysearchgram", "registry_directorysearchoccupation",
                 "registry_directorysearchgramcount")


def copy_from_postgres(scale: Scale) -> None:
    """Fill the SQLite bench file with the PostgreSQL bench database's rows (``--from-postgres``).

    The same institutions, entries and search rows on both databases, and minutes instead of the
    ORM load's hour at 100,000 on a busy 2-core machine (7 million gram rows built as model
    objects in one process). The PostgreSQL database must be loaded (``--db postgres``) and
    migrated to the same schema; the SQLite file must be empty (just migrated).
    """
    import datetime as _dt
    import json
    import uuid

    import psycopg
    from django.db import connection, transaction

    from skillreg.registry.models import DirectoryEntry

    if DirectoryEntry.objects.exists():
        log("the SQLite bench file is loaded already")
        return
    started = time.monotonic()
    ops = connection.ops

    def adapt(value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, _dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return value.hex
        return value

    with psycopg.connect(pg_url(f"skillreg_bench_dir_{scale.name}").replace("postgres://", "postgresql://", 1)) as pg, \
            transaction.atomic(), connection.cursor() as out:
        for table in COPIED_TABLES:
            with pg.cursor(name=f"copy_{table}") as source:
                source.itersize = 20000
                source.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - fixed table names
                rows = source.fetchmany(20000)
                columns = [d.name for d in source.description or []]
                sql = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                       f"VALUES ({', '.join(['%s'] * len(columns))})")
                n = 0
                while rows:
                    out.executemany(sql, [tuple(adapt(v) for v in row) for row in rows])
                    n += len(rows)
                    rows = source.fetchmany(20000)
            log(f"copied {table}: {n:,} rows")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"copied the PostgreSQL bench database in {time.monotonic() - started:.0f} s")


def measure(scale: Scale, db: str) -> dict[str, Any]:
    from django.db import connection

    import bench.legacy_directory as legacy
    from skillreg.registry import public_selectors as sel

    def api_work(search: Any, filters: dict[str, Any]) -> int:
        qs = search(sel.DirectoryQuery.model_validate(filters))
        total = qs.count()
        items = [sel.public_item(entry) for entry in qs[0:sel.PAGE_SIZE]]
        return total if items or total == 0 else -1

    codes = list(sel.current_entries().order_by("?").values_list("institution__code", flat=True)[:200])

    def floor() -> None:
        for code in codes[:20]:
            sel.public_item(sel.entry_current(code))

    # Same answers before and after (the totals), or the comparison means nothing.
    totals = {str(f): api_work(sel.directory_search, f) for _, f in QUERIES}
    mismatches = {}
    for _, f in QUERIES:
        before = api_work(legacy.directory_search, f)
        if before != totals[str(f)]:
            mismatches[str(f)] = (before, totals[str(f)])
    impls = {"after": sel.directory_search, "before": legacy.directory_search}
    runs: list[dict[str, Any]] = []
    for run in range(scale.runs):
        per: dict[str, Any] = {}
        floor_times = []
        for _ in range(scale.search_repeats):
            started = time.perf_counter()
            floor()
            floor_times.append((time.perf_counter() - started) * 1000 / 20)
        per["floor_ms"] = {"p50": percentile(floor_times, 50), "p99": percentile(floor_times, 99)}
        for impl, search in impls.items():
            # The old search scans everything: fewer repeats keep the run short, the p99 still real.
            repeats = scale.search_repeats if impl == "after" else max(3, scale.search_repeats // 5)
            by_cat: dict[str, list[float]] = {}
            worst: dict[str, float] = {}
            for category, filters in QUERIES:
                api_work(search, filters)  # warm
                for _ in range(repeats):
                    started = time.perf_counter()
                    api_work(search, filters)
                    ms = (time.perf_counter() - started) * 1000
                    by_cat.setdefault(category, []).append(ms)
                    key = str(filters)
                    worst[key] = max(worst.get(key, 0.0), ms)
            per[impl] = {cat: {"p50": percentile(v, 50), "p99": percentile(v, 99), "n": len(v)}
                         for cat, v in by_cat.items()}
            per[impl + "_worst_query_ms"] = dict(sorted(worst.items(), key=lambda kv: -kv[1])[:4])
        runs.append(per)
        log(f"{db} run {run + 1}: " + "  ".join(
            f"{cat} p99 {per['after'][cat]['p99']:.1f} ms (before {per['before'][cat]['p99']:.0f})"
            for cat in per["after"]))
    categories = list(runs[0]["after"])
    summary = {
        "floor_p50_ms": median([r["floor_ms"]["p50"] for r in runs]),
        "categories": {cat: {
            "after_p50_ms": median([r["after"][cat]["p50"] for r in runs]),
            "after_p99_ms": median([r["after"][cat]["p99"] for r in runs]),
            "before_p99_ms": median([r["before"][cat]["p99"] for r in runs]),
        } for cat in categories},
    }
    for row in summary["categories"].values():
        row["speedup_p99"] = row["before_p99_ms"] / row["after_p99_ms"]
        row["after_p99_over_floor"] = row["after_p99_ms"] / summary["floor_p50_ms"]
    return {"db": db, "vendor": connection.vendor, "totals": totals, "result_mismatches": mismatches,
            "runs": runs, "summary": summary}


def main() -> None:
    scale = scale_from_argv()
    db = "postgres" if "postgres" in sys.argv else "sqlite"
    url = database_url(db, scale)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    migrate(url)
    setup_django(url)
    if db == "sqlite" and "--from-postgres" in sys.argv:
        copy_from_postgres(scale)
    load(scale)
    if "--load-only" in sys.argv:
        return
    result = measure(scale, db)
    m = machine()
    print(f"\nDirectory search ({scale.institutions:,} institutions, {db}; count + first page of 20; "
          f"median of {scale.runs} runs; {m['cpus']} CPUs, load {m['load_avg_1m_at_start']})")
    print(f"floor (one entry by code): {result['summary']['floor_p50_ms']:.2f} ms")
    print(f"{'query':9s} {'p50':>8s} {'p99':>8s} {'before p99':>11s} {'speed-up':>9s} {'p99/floor':>10s}")
    for cat, row in result["summary"]["categories"].items():
        print(f"{cat:9s} {row['after_p50_ms']:7.2f}ms {row['after_p99_ms']:7.2f}ms {row['before_p99_ms']:10.1f}ms "
              f"{row['speedup_p99']:8.1f}x {row['after_p99_over_floor']:9.1f}x   (target p99 < 20 ms)")
    if result["result_mismatches"]:
        print("RESULT MISMATCH before/after:", result["result_mismatches"])
    path = write_result(f"directory-{db}", scale, {"institutions": scale.institutions, **result})
    log(f"written {path}")


if __name__ == "__main__":
    main()
