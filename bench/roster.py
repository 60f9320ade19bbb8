"""Figure 3: roster import of a 100,000-row × 10-column .xlsx, against python-calamine reading it.

    .venv/bin/python -m bench.roster --scale small|full [--runs 3] [--breakdown]

The file is seeded (``bench/datagen.py`` names and 身份证号码) and kept under ``var/bench/``.
It has the template's six columns plus four a real roster carries along (序号, 性别,
出生日期 as an Excel date cell, 备注), which the import ignores. About 0.2 % of the rows are
bad (check digit, missing 文化程度) so the error path runs too; a fifth of the people are
already known candidates (an earlier sitting), so both the "new" and the "known" candidate
paths are taken.

Each measurement runs in its own child process, so its peak RSS (``ru_maxrss``) is its own:

* **floor**: python-calamine alone opening the file and turning every row into Python
  values (``iter_rows``), nothing else;
* **import**: what a user's upload costs until the rows are committed, exactly as the app runs
  it (``roster_import_start`` → the validation task → ``roster_import_accept`` → the commit
  task; the task backend is the immediate one so both tasks run in the measured process):
  content check and storage of the upload, reading, every row checked, the error list and the
  good rows (as COPY text) stored, then, under the plan's lock, the fingerprint of what the check
  read compared (the bench changes nothing in between, so the rows are not checked again) and
  the kept rows written in one transaction.

``--breakdown`` adds one instrumented import (its own child) timing each part of the app and the
slowest statements; its total is a little slower than a plain run's and is not the figure.

Wall time and CPU time (the app's process plus its PostgreSQL backend, read from /proc; the floor
is one process) are both recorded: CPU time is steadier when other jobs share the cores.
Between runs the previous run's registrations and the candidates it created are deleted and
its stored file removed, so every run stores, checks and writes the same file from the same
state. Medians of ``--runs`` runs (3 by default); the ratio is import ÷ floor.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    OUT_DIR,
    PYTHON,
    ROOT,
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

ROWS = {"small": 10_000, "full": 100_000}
HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生日期", "文化程度", "工作单位/学校", "与机构关系", "联系电话",
           "备注"]
EDUCATION = [("初中", 15), ("高中", 25), ("中专", 20), ("大专", 22), ("本科", 15), ("硕士研究生", 3)]
RELATIONS = [("本单位职工", 80), ("劳务派遣人员", 12), ("劳务外包人员", 8)]
BAD_SHARE = 0.002
KNOWN_SHARE = 0.2
TRAINEES = 500  # the institution's declared trainees (none of them in the file)
# The plan's registration deadline and the moment of the import: the deadline itself, a
# Tuesday, inside the pack's 3-working-day entry window (002 第六条(一)).
CLOSES = dt.date(2026, 11, 24)
AT = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def db_name(scale_name: str) -> str:
    return f"skillreg_bench_roster_{scale_name}"


def xlsx_path(rows: int) -> Path:
    return OUT_DIR / f"roster-{rows}.xlsx"


def _pick(rnd: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rnd.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def people(rows: int) -> list[tuple[str, str]]:
    """(name, 身份证号码) of every row, distinct numbers, seeded."""
    from bench.datagen import Generator

    gen = Generator(seed=3)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < rows:
        person = gen.person("511900" if gen.rnd.random() < 0.7 else None)
        if person.id_number not in seen:
            seen.add(person.id_number)
            out.append((person.name, person.id_number))
    return out


def make_file(rows: int) -> Path:
    """The roster as an institution would upload it; written once, kept between runs."""
    path = xlsx_path(rows)
    if path.exists():
        return path
    from openpyxl import Workbook

    from bench.datagen import TRADE

    log(f"writing {path.name} ({rows:,} rows)")
    rnd = random.Random(33)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("考生名册")
    ws.append(HEADERS)
    employers = [f"巴中市{''.join(rnd.choice(TRADE) for _ in range(2))}建设工程有限公司" for _ in range(40)]
    for i, (name, number) in enumerate(people(rows), start=1):
        r = rnd.random()
        education = _pick(rnd, EDUCATION)
        if r < BAD_SHARE / 2:  # a typing error in the number: the check digit no longer agrees
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        elif r < BAD_SHARE:
            education = ""
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        ws.append([i, name, "男" if int(number[16]) % 2 else "女", number, birth, education,
                   rnd.choice(employers), _pick(rnd, RELATIONS), f"1{rnd.randint(3, 9)}{rnd.randint(0, 10**9 - 1):09d}",
                   "补考" if rnd.random() < 0.03 else None])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- the bench database: an institution, a plan, known candidates -----------------------------


def database_url(scale_name: str) -> str:
    name = db_name(scale_name)
    ensure_pg_database(name)
    return pg_url(name)


def _fixtures(rows: int) -> dict[str, Any]:
    """The institution (巴中, bz-2023-special: 考培分离 and the 3-working-day entry window), its
    user, venue, scope, a published plan, declared trainees, and the candidates already known."""
    from django.db import transaction

    from skillreg.accounts.factories import AuthorityFactory, UserFactory
    from skillreg.accounts.models import Role
    from skillreg.exams.models import Candidate, ExamPlan, TrainingRoster, TrainingRosterEntry, Venue
    from skillreg.registry.factories import InstitutionFactory
    from skillreg.registry.models import Institution, InstitutionScope

    inst = Institution.objects.filter(name="巴中市基准测试职业技能评价中心").first()
    if inst is not None:
        plan = ExamPlan.objects.get(institution=inst)
        return {"plan": plan, "user": plan.created_by}
    from decimal import Decimal

    from bench.datagen import Generator

    with transaction.atomic():
        authority = AuthorityFactory(name="巴中市人力资源和社会保障局", region_code="511900", region_name="巴中市")
        inst = InstitutionFactory(authority=authority, name="巴中市基准测试职业技能评价中心",
                                  status=Institution.Status.FILED, valid_until=dt.date(2029, 1, 1))
        user = UserFactory(username="bench-roster", role=Role.INSTITUTION_USER, authority=None, institution=inst)
        scope = InstitutionScope.objects.create(institution=inst, name="竹编工艺")
        venue = Venue.objects.create(institution=inst, kind=Venue.Kind.FILED, name="本部考点", address="巴中市巴州区",
                                     region_code="511902", rooms=100, capacity=100_000,
                                     status=Venue.Status.APPROVED, applied_at=AT, applied_by=user)
        plan = ExamPlan.objects.create(
            institution=inst, scope=scope, scope_name=scope.name, venue=venue, region_code="511902",
            pack_id=inst.pack_id, title="竹编工艺专项考核（基准）", registration_opens=dt.date(2026, 11, 1),
            registration_closes=CLOSES, exam_start=dt.date(2026, 12, 5), exam_end=dt.date(2026, 12, 6),
            fee=Decimal("120.00"), status=ExamPlan.Status.PUBLISHED, created_at=AT, created_by=user,
            published_at=AT)
        roster = TrainingRoster.objects.create(institution=inst, title="竹编工艺培训班", declared_at=AT,
                                               declared_by=user)
        gen = Generator(seed=5)
        in_file = people(rows)
        file_ids = {n for _, n in in_file}
        trainees = []
        while len(trainees) < TRAINEES:
            person = gen.person("511900")
            if person.id_number not in file_ids:
                trainees.append(TrainingRosterEntry(roster=roster, institution=inst, id_number=person.id_number,
                                                    name=person.name))
        TrainingRosterEntry.objects.bulk_create(trainees)
        # A fifth of the file's people sat an earlier exam; as many again unrelated people did.
        rnd = random.Random(7)
        known = [p for p in in_file if rnd.random() < KNOWN_SHARE]
        others = []
        while len(others) < rows:
            person = gen.person()
            if person.id_number not in file_ids:
                others.append((person.name, person.id_number))
        before = AT - dt.timedelta(days=400)
        seen: set[str] = set()
        objs = []
        for name, number in known + others:
            if number in seen:
                continue
            seen.add(number)
            objs.append(Candidate(id_number=number, name=name, gender="男" if int(number[16]) % 2 else "女",
                                  birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                                  created_at=before))
        Candidate.objects.bulk_create(objs, batch_size=5000)
    log(f"bench fixtures: plan, {TRAINEES} trainees, {len(objs):,} known candidates")
    return {"plan": plan, "user": user}


def _reset(plan: Any, path: Path) -> None:
    """Back to the state before the first run: no registration, no candidate the import created,
    the upload's bytes not in storage (so every run stores them again)."""
    import hashlib

    from django.core.files.storage import default_storage
    from django.db import connection

    from skillreg.exams.models import Candidate, Registration
    from skillreg.files.models import StoredFile

    Registration.objects.filter(plan=plan).delete()
    Candidate.objects.filter(created_at__gte=AT - dt.timedelta(days=1)).delete()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in set(StoredFile.objects.filter(sha256=digest).values_list("storage_name", flat=True)):
        if default_storage.exists(name):
            default_storage.delete(name)
    with connection.cursor() as cursor:
        for table in ("exams_registration", "exams_candidate"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def import_once(scale_name: str, path: Path) -> dict[str, Any]:
    # The clock starts at the deadline's morning, as SKILLREG_CLOCK_START does for a training
    # environment: the tasks read it (clock.now()), as they do in production.
    setup_django(database_url(scale_name), SKILLREG_CLOCK_START=AT.isoformat(),
                 SKILLREG_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend")
    from django.core.files.uploadedfile import UploadedFile

    from skillreg.core import clock
    from skillreg.exams.models import Registration, RosterImport
    from skillreg.exams.services import imports
    from skillreg.exams.xlsx import XLSX_CONTENT_TYPE

    fx = _fixtures(ROWS[scale_name])  # made by the "reset" child before: only read here
    plan, user = fx["plan"], fx["user"]
    # CPU time as well as wall time: the app's process plus its PostgreSQL backend (same machine,
    # /proc), steadier than wall time when other jobs share the two cores.
    backend = _backend_pid()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_before, backend_before = _own_cpu(), _proc_cpu(backend)
    started = time.perf_counter()
    with path.open("rb") as fh:
        upload = UploadedFile(file=fh, name="考生名册.xlsx", content_type=XLSX_CONTENT_TYPE, size=path.stat().st_size)
        imp = imports.roster_import_start(actor=user, plan=plan, upload=upload, at=clock.now())  # + validation
    validated = time.perf_counter()
    imp.refresh_from_db()
    if imp.status != RosterImport.Status.VALIDATED:
        raise SystemExit(f"validation ended {imp.status}: {imp.message}")
    imp = imports.roster_import_accept(actor=user, imp=imp, at=clock.now())  # + the commit task
    done = time.perf_counter()
    cpu = _own_cpu() - cpu_before
    backend_cpu = _proc_cpu(backend) - backend_before
    if _backend_pid() != backend:
        raise SystemExit("the database connection changed during the import: CPU time not comparable")
    imp.refresh_from_db()
    if imp.status != RosterImport.Status.COMMITTED:
        raise SystemExit(f"commit ended {imp.status}: {imp.message}")
    written = Registration.objects.filter(plan=plan).count()
    assert written == imp.imported_rows == imp.good_rows, (written, imp.imported_rows, imp.good_rows)
    return {"seconds": done - started, "validate_seconds": validated - started, "commit_seconds": done - validated,
            "rows": imp.total_rows, "good_rows": imp.good_rows, "bad_rows": imp.bad_rows,
            "cpu_seconds": cpu + backend_cpu, "app_cpu_seconds": cpu, "postgres_cpu_seconds": backend_cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_mb": rss_before}


# The parts of one import, for ``--breakdown``: each is timed where the app calls it (wall, the
# app's CPU, its PostgreSQL backend's CPU); the statements the app sends are timed too. An
# instrumented run is a little slower than a plain one: its total is not the figure.
PARTS = (
    ("exams.services.imports", "_read_rows", "read the workbook (calamine + cells → rows)"),
    ("exams.services.bulk", "rules_for", "load what the rules need (plan, trainees, known candidates)"),
    ("exams.services.bulk", "stage", "keep the good rows as COPY text"),
    ("exams.services.imports", "_check_rows", "check every row (incl. the two above)"),
    ("exams.services.imports", "_stage", "store the kept rows (signed)"),
    ("exams.services.imports", "roster_import_validate", "the validation task"),
    ("exams.services.imports", "_staged_rows", "commit: read the kept rows back"),
    ("exams.services.bulk", "fingerprint", "fingerprint (check and commit)"),
    ("exams.services.bulk", "_write_rows", "commit: COPY + INSERT candidates + INSERT registrations"),
    ("exams.services.imports", "roster_import_commit", "the commit task (incl. COMMIT)"),
)


def breakdown_once(scale_name: str, path: Path) -> dict[str, Any]:
    import functools
    import importlib

    setup_django(database_url(scale_name), SKILLREG_CLOCK_START=AT.isoformat(),
                 SKILLREG_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend")
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection

    from skillreg.core import clock
    from skillreg.exams.services import imports
    from skillreg.exams.xlsx import XLSX_CONTENT_TYPE

    fx = _fixtures(ROWS[scale_name])
    backend = _backend_pid()
    parts: dict[str, list[float]] = {}

    def timed(label: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu, pg = time.perf_counter(), _own_cpu(), _proc_cpu(backend)
            try:
                return fn(*args, **kwargs)
            finally:
                entry = parts.setdefault(label, [0.0, 0.0, 0.0, 0])
                entry[0] += time.perf_counter() - wall
                entry[1] += _own_cpu() - cpu
                entry[2] += _proc_cpu(backend) - pg
                entry[3] += 1
        return wrapper

    for module_name, name, label in PARTS:
        module = importlib.import_module(f"skillreg.{module_name}")
        setattr(module, name, timed(label, getattr(module, name)))
    statements: list[tuple[float, float, str]] = []

    def statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        wall, pg = time.perf_counter(), _proc_cpu(backend)
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - wall, _proc_cpu(backend) - pg, " ".join(sql.split())[:100]))

    started, cpu, pg = time.perf_counter(), _own_cpu(), _proc_cpu(backend)
    with connection.execute_wrapper(statement), path.open("rb") as fh:
        upload = UploadedFile(file=fh, name="考生名册.xlsx", content_type=XLSX_CONTENT_TYPE, size=path.stat().st_size)
        imp = imports.roster_import_start(actor=fx["user"], plan=fx["plan"], upload=upload, at=clock.now())
        imports.roster_import_accept(actor=fx["user"], imp=imp, at=clock.now())
    return {"seconds": time.perf_counter() - started, "app_cpu_seconds": _own_cpu() - cpu,
            "postgres_cpu_seconds": _proc_cpu(backend) - pg,
            "parts": [{"part": label, "calls": n, "seconds": w, "app_cpu_seconds": c, "postgres_cpu_seconds": b}
                      for label, (w, c, b, n) in parts.items()],
            "slowest_statements": [{"seconds": w, "postgres_cpu_seconds": b, "sql": sql}
                                   for w, b, sql in sorted(statements, reverse=True)[:8]]}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def floor_once(path: Path) -> dict[str, Any]:
    """python-calamine alone: open the file, every row of the first sheet as Python values."""
    from python_calamine import CalamineWorkbook

    cpu_before = _own_cpu()
    started = time.perf_counter()
    with CalamineWorkbook.from_path(str(path)) as wb:
        count = sum(1 for _ in wb.get_sheet_by_index(0).iter_rows())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu_seconds": _own_cpu() - cpu_before, "rows": count,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(scale_name: str, what: str) -> dict[str, Any]:
    out = subprocess.run([PYTHON, "-m", "bench.roster", "--scale", scale_name, "--child", what], cwd=ROOT,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    scale = scale_from_argv()
    rows = ROWS[scale.name]
    if "--child" in sys.argv:
        what = sys.argv[sys.argv.index("--child") + 1]
        path = make_file(rows)
        if what == "reset":  # its own process, so that the import's peak RSS is the import's
            setup_django(database_url(scale.name))
            _reset(_fixtures(rows)["plan"], path)
            result: dict[str, Any] = {}
        else:
            result = (floor_once(path) if what == "floor" else breakdown_once(scale.name, path)
                      if what == "breakdown" else import_once(scale.name, path))
        print(json.dumps(result))
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else scale.runs
    m = machine()
    log(f"roster import, {rows:,} rows × {len(HEADERS)} columns, on {m['cpus']} CPUs, load {m['load_avg_1m_at_start']}")
    path = make_file(rows)
    url = database_url(scale.name)
    migrate(url)
    floors: list[dict[str, Any]] = []
    imports_: list[dict[str, Any]] = []
    for run in range(runs):
        # Alternate the order so that a change of load hits both sides alike.
        order = ("floor", "import") if run % 2 == 0 else ("import", "floor")
        for what in order:
            if what == "import":
                _child(scale.name, "reset")
            result = _child(scale.name, what)
            (floors if what == "floor" else imports_).append(result)
            log(f"run {run + 1} {what}: {result['seconds']:.2f} s (CPU {result['cpu_seconds']:.2f} s), "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
                + (f" (validate {result['validate_seconds']:.2f} s, commit {result['commit_seconds']:.2f} s)"
                   if what == "import" else ""))
    floor_s = median([r["seconds"] for r in floors])
    import_s = median([r["seconds"] for r in imports_])
    floor_cpu, import_cpu = median([r["cpu_seconds"] for r in floors]), median([r["cpu_seconds"] for r in imports_])
    summary = {
        "rows": rows, "columns": len(HEADERS), "file_bytes": path.stat().st_size, "runs": runs,
        "floor_seconds": floor_s, "import_seconds": import_s, "ratio": import_s / floor_s,
        "floor_cpu_seconds": floor_cpu, "import_cpu_seconds": import_cpu, "cpu_ratio": import_cpu / floor_cpu,
        "import_postgres_cpu_seconds": median([r["postgres_cpu_seconds"] for r in imports_]),
        "validate_seconds": median([r["validate_seconds"] for r in imports_]),
        "commit_seconds": median([r["commit_seconds"] for r in imports_]),
        "import_peak_rss_mb": max(r["peak_rss_mb"] for r in imports_),
        "floor_peak_rss_mb": max(r["peak_rss_mb"] for r in floors),
        "bad_rows": imports_[0]["bad_rows"], "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
    }
    result = {"summary": summary, "floor": floors, "import": imports_}
    if "--breakdown" in sys.argv:  # one more, instrumented, import: where the time goes
        _child(scale.name, "reset")
        result["breakdown"] = found = _child(scale.name, "breakdown")
        log(f"breakdown (one instrumented run, load {os.getloadavg()[0]:.2f}): {found['seconds']:.2f} s, "
            f"app CPU {found['app_cpu_seconds']:.2f} s, PostgreSQL CPU {found['postgres_cpu_seconds']:.2f} s")
        for part in found["parts"]:
            log(f"  {part['part']:58s} {part['seconds']:6.2f} s  app {part['app_cpu_seconds']:5.2f}  "
                f"PostgreSQL {part['postgres_cpu_seconds']:5.2f}")
        for st in found["slowest_statements"]:
            log(f"  {st['seconds']:6.2f} s  PostgreSQL {st['postgres_cpu_seconds']:5.2f}  {st['sql']}")
    write_result("roster", scale, result)
    log(f"floor (calamine alone) {floor_s:.2f} s; import {import_s:.2f} s "
        f"(validate {summary['validate_seconds']:.2f} + commit {summary['commit_seconds']:.2f}); "
        f"ratio {summary['ratio']:.2f} (target ≤ 5); CPU {floor_cpu:.2f} s vs {import_cpu:.2f} s "
        f"(app + PostgreSQL backend), ratio {summary['cpu_ratio']:.2f}; "
        f"peak RSS {summary['import_peak_rss_mb']:.0f} MB (target < 500)")


if __name__ == "__main__":
    main()
