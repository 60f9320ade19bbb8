"""Figure 1: public certificate verification, the app under gunicorn against a Starlette + asyncpg floor.

    .venv/bin/python -m bench.certificates [--scale small|full] [load|measure|inline|gthread|gthread-django|gevent|all]

``load`` builds the bench database ``skillreg_bench_<scale>`` (the project's migrations, then
N certificates by COPY with the secondary indexes dropped and rebuilt afterwards, as a
bulk load is done); it is skipped when the database already holds that many. ``inline``
serves the app the way the README tells operators (gunicorn, WSGI, 2 workers, DEBUG off,
worker class ``skillreg.serving.ThreadWorker``) and the baseline (uvicorn, 2 workers, one
asyncpg pool each), then loads each from loopback with wrk (16 connections) for both lookups,
alternating app and baseline, several runs; it prints the medians, the throughput ratio
app/baseline and the p99s. ``all`` is ``load`` then ``inline``. The other steps serve the app
with gunicorn's own worker classes to compare: ``gthread`` (4 threads), ``gevent``, ``measure``
(sync), ``gthread-django`` (gthread with the verification fast path off).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import (
    OUT_DIR,
    PYTHON,
    ROOT,
    Scale,
    ensure_pg_database,
    log,
    machine,
    median,
    migrate,
    pg_url,
    scale_from_argv,
    setup_django,
    write_result,
)
from bench.datagen import Generator, national_body_code

BENCH_DIR = Path(__file__).resolve().parent
TABLE = "certificates_certificate"
COLUMNS = ("number", "kind", "institution_id", "issuer_name", "region_code", "pack_id", "holder_name",
           "id_number", "occupation", "level", "issued_on", "issued_at", "issued_by_id", "serial",
           "sequence_scope", "sitting_ref", "status", "revoked_at", "revoked_by_id", "revoke_reason")
SAMPLES = 4000  # lookup keys kept for wrk, spread over the whole table
APP_PORT, BASE_PORT = 18081, 18082
CONNECTIONS, THREADS = 16, 2
WORKERS = 2
# gthread's threads per worker (README.md, Operations); `--threads N` to try others.
THREADS_PER_WORKER = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 4
# The verification endpoint's per-address limit (30 a minute by default) would answer 429
# within a second: the bench raises it through SKILLREG_VERIFY_RATE_LIMIT (read by skillreg/settings.py).
RATE_LIMIT_FOR_BENCH = "1000000000"
# `load --lookups-only`: stop once the two lookup indexes exist (the rest is built by a later `load`).
LOOKUPS_ONLY = "--lookups-only" in sys.argv


def db_name(scale: Scale) -> str:
    return f"skillreg_bench_{scale.name}"


def samples_path(scale: Scale) -> Path:
    return OUT_DIR / f"cert-samples-{scale.name}.json"


# --- load --------------------------------------------------------------------------------


def loaded_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'certificates'").fetchone()
            return int(row[0]) if row else -1
    except psycopg.Error:
        return -1


def _renice_backend(conn: Any) -> None:
    """Bulk work runs at nice 10 so that the engineers' test runs on this machine stay responsive."""
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, 10)


def _meta(url: str, key: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = %s", [key]).fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def load(scale: Scale) -> None:
    """COPY, then the indexes: those the lookups use first, the samples, then the rest.

    Re-entrant: the rows are committed before any index is built, and the dropped
    definitions are kept in ``bench_meta``, so an interrupted load resumes at the indexes.
    """
    db = db_name(scale)
    url = pg_url(db)
    if loaded_count(url) == scale.certificates and samples_path(scale).exists():
        log(f"{db}: {scale.certificates:,} certificates already loaded")
        _rebuild(url, only_pending=True)
        return
    if _meta(url, "copied") == str(scale.certificates):
        log(f"{db}: rows present, resuming at the indexes")
        _rebuild(url, scale=scale, lookups_only=LOOKUPS_ONLY)
        return
    import psycopg

    log(f"{db}: (re)creating")
    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    ensure_pg_database(db)
    migrate(url)
    setup_django(url)
    institutions, user_id = _institutions(scale)
    started = time.monotonic()
    with psycopg.connect(url) as conn:
        _renice_backend(conn)
        conn.execute("SET synchronous_commit = off")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        _drop_secondary(conn)
        conn.execute(f"ALTER TABLE {TABLE} ALTER COLUMN public_id SET DEFAULT gen_random_uuid()")
        _copy_certificates(conn, scale, institutions, user_id)
        conn.execute(f"ALTER TABLE {TABLE} ALTER COLUMN public_id DROP DEFAULT")
        _set_meta(conn, "copied", str(scale.certificates))
        conn.commit()
    log(f"COPY {scale.certificates:,} rows: {time.monotonic() - started:.0f} s")
    _rebuild(url, scale=scale, lookups_only=LOOKUPS_ONLY)
    log(f"{db}: loaded in {time.monotonic() - started:.0f} s")


def _set_meta(conn: Any, key: str, value: str) -> None:
    conn.execute("INSERT INTO bench_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                 [key, value])


# The lookups' indexes first: the UNIQUE number, then (id_number, holder_name).
FIRST = ("certificates_certificate_number_key", "certificate_holder_lookup")


def _rebuild(url: str, *, scale: Scale | None = None, only_pending: bool = False, lookups_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        _renice_backend(conn)
        conn.execute("SET maintenance_work_mem = '512MB'")
        # One core for index builds: the machine is shared.
        conn.execute("SET max_parallel_maintenance_workers = 0")
        schema = json.loads(conn.execute("SELECT value FROM bench_meta WHERE key = 'schema'").fetchone()[0])
        pending = [item for item in schema if not _exists(conn, item["name"])]
        pending.sort(key=lambda item: (item["name"] not in FIRST, item["kind"] == "constraint"))
        if only_pending and pending:
            log(f"building {len(pending)} remaining indexes/constraints (not used by the lookups)")
        for item in pending:
            if not only_pending and item["name"] not in FIRST and scale is not None:
                # The lookups' indexes exist: analyse, take the samples, mark the table usable.
                _ready(conn, url, scale)
                scale = None
                if lookups_only:
                    log("the other indexes and constraints (not used by the lookups) are left for a later `load`")
                    return
            started = time.monotonic()
            if item["kind"] == "index":
                conn.execute(item["definition"])
            else:
                conn.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{item["name"]}" {item["definition"]}')
            conn.commit()
            log(f"  {item['name']}: {time.monotonic() - started:.0f} s")
        if scale is not None:
            _ready(conn, url, scale)


def _exists(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_class WHERE relname = %s UNION ALL SELECT 1 FROM pg_constraint "
                        "WHERE conname = %s", [name, name]).fetchone() is not None


def _ready(conn: Any, url: str, scale: Scale) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as vac:
        _renice_backend(vac)
        vac.execute(f"VACUUM (ANALYZE) {TABLE}")
    samples = _sample_keys(conn)
    samples_path(scale).write_text(json.dumps(samples, ensure_ascii=False))
    _set_meta(conn, "certificates", str(scale.certificates))
    conn.commit()
    log(f"lookup indexes ready; {len(samples['numbers'])} numbers and {len(samples['holders'])} holders sampled")


def _sample_keys(conn: Any) -> dict[str, list[Any]]:
    """Lookup keys spread over the table (block sample); holders only where the answer is one certificate."""
    total_pages = conn.execute("SELECT relpages FROM pg_class WHERE relname = %s", [TABLE]).fetchone()[0] or 1
    pct = min(100.0, max(0.01, SAMPLES * 3 / max(1, total_pages * 25) * 100))
    rows = conn.execute(f"SELECT number, id_number, holder_name FROM {TABLE} TABLESAMPLE SYSTEM (%s) "  # noqa: S608
                        "REPEATABLE (8) LIMIT %s", [pct, SAMPLES * 3]).fetchall()
    random.Random(3).shuffle(rows)
    numbers = [r[0] for r in rows[:SAMPLES]]
    holders = []
    for _, id_number, name in rows:
        n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE id_number = %s "  # noqa: S608
                         "AND holder_name = %s LIMIT 2) t", [id_number, name]).fetchone()[0]
        if n == 1:
            holders.append([id_number, name])
        if len(holders) >= SAMPLES:
            break
    return {"numbers": numbers, "holders": holders}


def _institutions(scale: Scale) -> tuple[list[tuple[int, str, str, str]], int]:
    """Issuing bodies with national body codes (one per ~2,000 certificates, 50-5,000), and an issuer."""
    from skillreg.accounts.models import Authority, Role, User
    from skillreg.core import clock
    from skillreg.registry.models import Institution

    gen = Generator(seed=1)
    authority = Authority.objects.create(name="基准测试人力资源和社会保障厅", region_code="510000",
                                         region_name="四川省", level=Authority.Level.PROVINCE)
    count = max(50, min(5000, scale.certificates // 2000))
    rows = []
    for i in range(count):
        region, place = gen.region()
        kind = gen.kind()
        letter = "Y" if kind == "enterprise" else "S"
        rows.append(Institution(
            name=gen.institution_name(place, kind), credit_code=gen.credit_code(region, i + 1), body_kind=kind,
            legal_representative=gen.person_name(), address=f"{place}人民路{i + 1}号", region_code=region,
            authority=authority, pack_id="sc-2021-appraisal", status=Institution.Status.FILED,
            registered_at=clock.now(), code=national_body_code(letter, region[:2], i + 1)))
    Institution.objects.bulk_create(rows, batch_size=1000)
    user = User.objects.create(username="bench-issuer", role=Role.SYSADMIN)
    return [(inst.pk, inst.code or "", inst.name, inst.region_code) for inst in rows], user.pk


def _drop_secondary(conn: Any) -> None:
    """Drop the unique/foreign-key constraints and indexes (not the primary key), keeping their definitions."""
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC", [TABLE]).fetchall()
    for name, _ in constraints:
        conn.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
        [TABLE, "%_pkey"]).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    schema = [{"kind": "constraint", "name": n, "definition": d} for n, d in constraints]
    schema += [{"kind": "index", "name": n, "definition": d} for n, d in indexes]
    _set_meta(conn, "schema", json.dumps(schema))


def _copy_certificates(conn: Any, scale: Scale, institutions: list[tuple[int, str, str, str]],
                       user_id: int) -> None:
    gen = Generator(seed=2)
    rnd = gen.rnd
    counters: dict[tuple[int, int, int], int] = {}
    recent: list[tuple[str, str]] = []  # about 8 % of certificates go to people who already hold one
    n_inst = len(institutions)
    cols = ", ".join(COLUMNS)
    with conn.cursor().copy(f"COPY {TABLE} ({cols}) FROM STDIN") as copy:
        buf = io.StringIO()
        for i in range(scale.certificates):
            idx = int(rnd.random() * n_inst)
            inst_id, code, issuer, region = institutions[idx]
            year = 2019 + int(rnd.random() * 7)
            level = gen.level()
            key = (idx, year, level)
            serial = counters.get(key, 0) + 1
            counters[key] = serial
            yy = year % 100
            # 003 四(七): body code (13) + year (2) + level (1) + serial (6) = 22 characters.
            number = f"{code}{yy:02d}{level}{serial:06d}"
            if recent and rnd.random() < 0.08:
                name, id_number = recent[int(rnd.random() * len(recent))]
            else:
                name = gen.person_name()
                id_number = gen.id_number(region if rnd.random() < 0.8 else None)
                if len(recent) < 5000:
                    recent.append((name, id_number))
                else:
                    recent[int(rnd.random() * 5000)] = (name, id_number)
            day = dt.date(year, 1, 1) + dt.timedelta(days=int(rnd.random() * 360))
            revoked = rnd.random() < 0.003
            buf.write("\t".join((
                number, "skill_level", str(inst_id), issuer, region, "sc-2021-appraisal", name, id_number,
                gen.occupation(), str(level), day.isoformat(), f"{day.isoformat()} 10:00:00+08", str(user_id),
                str(serial), f"{code}-{yy:02d}-{level}", f"{code}-{year}-{i % 97:02d}",
                "revoked" if revoked else "valid",
                f"{day.isoformat()} 16:00:00+08" if revoked else "\\N",
                str(user_id) if revoked else "\\N",
                "违规发放，依法追缴" if revoked else "",
            )))
            buf.write("\n")
            if i % 20_000 == 19_999:
                copy.write(buf.getvalue())
                buf = io.StringIO()
            if i % 1_000_000 == 999_999:
                log(f"  {i + 1:,} rows")
        copy.write(buf.getvalue())


# --- serve and measure -----------------------------------------------------------------------


def _server_env(scale: Scale) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLREG_")}
    env.update({
        "DATABASE_URL": pg_url(db_name(scale)),
        "DJANGO_SETTINGS_MODULE": "skillreg.settings",
        "SKILLREG_DEBUG": "0",
        # The production default (the database cache table) unless BENCH_CACHE_URL says e.g. redis://.
        "SKILLREG_CACHE_URL": os.environ.get("BENCH_CACHE_URL", "db://skillreg_cache"),
        "SKILLREG_SECRET_KEY": "bench-" + "x" * 50,
        "SKILLREG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: in production TLS ends at the proxy (SKILLREG_TLS_PROXY=1).
        "SKILLREG_SSL_REDIRECT": "0",
        "SKILLREG_VAR_DIR": str(OUT_DIR / "var"),
        "SKILLREG_VERIFY_RATE_LIMIT": RATE_LIMIT_FOR_BENCH,
        "PYTHONPATH": str(ROOT),
    })
    # BENCH_SKILLREG_X=v serves the app with SKILLREG_X=v (a setting tried without editing this file).
    env.update({k.removeprefix("BENCH_"): v for k, v in os.environ.items() if k.startswith("BENCH_SKILLREG_")})
    return env


def start_app(scale: Scale, log_file: Path, *, worker_class: str = "sync", threads: int = 1,
              fastpath: bool = True) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "skillreg.wsgi:application", "--workers", str(WORKERS),
           "--worker-class", worker_class, "--bind", f"127.0.0.1:{APP_PORT}", "--backlog", "2048",
           # One SO_REUSEPORT socket per worker, as README.md tells operators and as the floor binds
           # (bench/baseline_server.py): the kernel spreads the connections. With one shared socket
           # the busiest worker kept accepting — 15 of wrk's 16 connections on one worker.
           "--reuse-port"]
    if worker_class in ("gthread", INLINE_WORKER):
        cmd += ["--threads", str(threads)]
    # The rate limiter's shared cache table (an operator's `skillreg migrate` creates it; the bench
    # database was migrated with the development settings, which keep the cache in memory).
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=_server_env(scale), check=True)
    # SKILLREG_VERIFY_FASTPATH=0: the verification through Django's whole request cycle, to compare.
    env = {**_server_env(scale), "SKILLREG_VERIFY_FASTPATH": "1" if fastpath else "0"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def start_baseline(scale: Scale, log_file: Path) -> subprocess.Popen:
    env = {**_server_env(scale), "BENCH_DSN": pg_url(db_name(scale))}
    cmd = [PYTHON, "-m", "bench.baseline_server", str(BASE_PORT), str(WORKERS)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except Exception:  # not up yet
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer 200 at {url}")


def paths_file(scale: Scale, kind: str, prefix: str) -> Path:
    samples = json.loads(samples_path(scale).read_text())
    if kind == "number":
        lines = [f"{prefix}?number={n}" for n in samples["numbers"]]
    else:
        lines = [f"{prefix}?{urllib.parse.urlencode({'id_number': i, 'name': n})}" for i, n in samples["holders"]]
    path = OUT_DIR / f"wrk-paths-{scale.name}-{kind}-{prefix.strip('/').replace('/', '_')}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(port: int, paths: Path, seconds: int) -> dict[str, Any]:
    env = {**os.environ, "WRK_PATHS": str(paths)}
    out = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "5s",
         "-s", str(BENCH_DIR / "wrk_paths.lua"), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, check=True)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


APP_PREFIX = "/api/v1/public/certificates/verify"
# README.md's worker class: gthread, with the verification answered on the polling thread.
INLINE_WORKER = "skillreg.serving.ThreadWorker"
BASE_PREFIX = "/verify"


def measure(scale: Scale, *, worker_class: str = "sync", threads: int = 1, fastpath: bool = True) -> dict[str, Any]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server_log = OUT_DIR / f"servers-{scale.name}.log"
    app = start_app(scale, server_log, worker_class=worker_class, threads=threads, fastpath=fastpath)
    base = start_baseline(scale, server_log)
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        samples = json.loads(samples_path(scale).read_text())
        wait_ready(f"http://127.0.0.1:{APP_PORT}{APP_PREFIX}?number={samples['numbers'][0]}")
        wait_ready(f"http://127.0.0.1:{BASE_PORT}{BASE_PREFIX}?number={samples['numbers'][0]}")
        targets = {"app": (APP_PORT, APP_PREFIX), "baseline": (BASE_PORT, BASE_PREFIX)}
        files = {(t, k): paths_file(scale, k, prefix) for t, (_, prefix) in targets.items()
                 for k in ("number", "holder")}
        # Warm both (connections, caches, the first pages of both indexes).
        for (target, _kind), path in files.items():
            run_wrk(targets[target][0], path, 2)
        for run in range(scale.runs):
            order = ["app", "baseline"] if run % 2 == 0 else ["baseline", "app"]
            for kind in ("number", "holder"):
                for target in order:
                    r = run_wrk(targets[target][0], files[(target, kind)], scale.wrk_seconds)
                    results.setdefault(kind, {}).setdefault(target, []).append(r)
                    log(f"run {run + 1} {kind:6s} {target:8s} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.1f} ms  "
                        f"p99 {r['p99_ms']:.1f} ms  non-2xx {r['non2xx']}  errors {r['errors']}")
    finally:
        stop(app)
        stop(base)
    summary: dict[str, Any] = {}
    for kind, by_target in results.items():
        row: dict[str, Any] = {}
        for target, runs in by_target.items():
            row[target] = {"rps": median([r["rps"] for r in runs]), "p50_ms": median([r["p50_ms"] for r in runs]),
                           "p99_ms": median([r["p99_ms"] for r in runs]),
                           "non2xx": sum(r["non2xx"] for r in runs), "errors": sum(r["errors"] for r in runs)}
        row["throughput_ratio"] = row["app"]["rps"] / row["baseline"]["rps"]
        summary[kind] = row
    return {"worker_class": worker_class, "threads": threads, "fastpath": fastpath, "load_avg_1m_at_end":
            os.getloadavg()[0], "runs": results, "summary": summary}


def print_summary(scale: Scale, label: str, summary: dict[str, Any]) -> None:
    m = machine()
    print(f"\nCertificate verification ({scale.certificates:,} certificates, PostgreSQL, {label}, "
          f"wrk {CONNECTIONS} connections x {scale.wrk_seconds} s, median of {scale.runs}; "
          f"{m['cpus']} CPUs, load {m['load_avg_1m_at_start']})")
    print(f"{'lookup':8s} {'app req/s':>10s} {'base req/s':>10s} {'ratio':>6s} {'app p99':>8s} {'base p99':>8s}")
    for kind, row in summary.items():
        print(f"{kind:8s} {row['app']['rps']:10.0f} {row['baseline']['rps']:10.0f} {row['throughput_ratio']:6.2f} "
              f"{row['app']['p99_ms']:7.1f}ms {row['baseline']['p99_ms']:7.1f}ms"
              f"   (target ratio >= 0.6, p99 < 20 ms)")


def main() -> None:
    scale = scale_from_argv()
    known = {"load", "measure", "all", "gthread", "inline", "gthread-django", "gevent"}
    steps = [a for a in sys.argv[1:] if a in known] or ["all"]
    if "load" in steps or "all" in steps:
        load(scale)
    result: dict[str, Any] = {}
    if "measure" in steps:
        result["sync"] = measure(scale)
        print_summary(scale, "gunicorn sync x2", result["sync"]["summary"])
    if "gthread" in steps:
        result["gthread"] = measure(scale, worker_class="gthread", threads=THREADS_PER_WORKER)
        print_summary(scale, f"gunicorn gthread x2 ({THREADS_PER_WORKER} threads)", result["gthread"]["summary"])
    if "inline" in steps or "all" in steps:  # README.md's serving: what figure 1 is judged on
        result["inline"] = measure(scale, worker_class=INLINE_WORKER, threads=THREADS_PER_WORKER)
        print_summary(scale, f"gunicorn {INLINE_WORKER} x2 ({THREADS_PER_WORKER} threads)", result["inline"]["summary"])
    if "gevent" in steps:
        result["gevent"] = measure(scale, worker_class="gevent")
        print_summary(scale, "gunicorn gevent x2", result["gevent"]["summary"])
    if "gthread-django" in steps:  # the same, with the verification fast path switched off
        result["gthread_django"] = measure(scale, worker_class="gthread", threads=THREADS_PER_WORKER, fastpath=False)
        print_summary(scale, f"gunicorn gthread x2 ({THREADS_PER_WORKER} threads), SKILLREG_VERIFY_FASTPATH=0",
                      result["gthread_django"]["summary"])
    if result:
        path = write_result("certificates", scale, {"certificates": scale.certificates, **result})
        log(f"written {path}")


if __name__ == "__main__":
    main()
