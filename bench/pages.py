"""Figure 5: worklists and directory pages at a province's scale, server time and query count.

    .venv/bin/python -m bench.pages --scale small|full [--repeats 30] [--load-only] [--reload] [--no-gc-freeze]
                                    [--only LABEL-PART ...]

One province (四川, its 21 cities and their counties) in a PostgreSQL database
``skillreg_bench_pages_<scale>`` made by the app's own migrations and kept between runs
(reloaded only when a row count differs; a database holding other counts is refused). At
``full``: 1,000 filed institutions with their published directory entries (search rows
included, as ``directory.publish`` writes them) and 2,000 more registered-only bodies;
10,000 filing applications in the statuses a province accumulates over a few years (drafts,
open files with their running clocks — material_check_due, completion_due, the supplement
notice's due date — filed, refused, terminated, withdrawn), spread over the cities by
population; 2,000 exam plans with their venues and scope rows; 100,000 candidates with
110,000 registrations. ``small`` is a tenth of everything. Loaded with ``bulk_create``, not the
services (no audit events: nothing measured here reads them). Names, 身份证号码 and
统一社会信用代码 come from ``bench/datagen.py``.

Each page is requested in-process through ``django.test.Client`` (the whole middleware stack,
the template rendered), signed in as the role that uses it (``force_login``; officials' sessions
carry a verified TOTP device, as after a real sign-in, so the second-factor check runs as in
production). Per page: a warm-up request, then ``--repeats`` timed requests (30 by default):
median and p95 of the wall time, and the number of database queries of one request
(``CaptureQueriesContext``). The clock is frozen at 2026-11-20 10:00 (+08:00), the tests' instant.
As served: ``skillreg/wsgi.py`` is imported before the first request, so its ``gc.freeze()`` at load
applies as in every gunicorn worker; ``--no-gc-freeze`` measures with the collector walking
everything (``--gc-freeze``, from earlier records, is the default now).
Run both scales: a page whose query count differs between them makes queries per row.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import time
from decimal import Decimal
from typing import Any

from bench.common import (
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

TARGET_P95_MS = 150.0
# Rows per scale (issue 8 figure 5 names the full one).
SIZES = {
    "small": {"filed": 100, "registered": 200, "applications": 1_000, "plans": 200, "candidates": 10_000},
    "full": {"filed": 1_000, "registered": 2_000, "applications": 10_000, "plans": 2_000, "candidates": 100_000},
}
# 四川's cities (GB/T 2260) weighted roughly by population; 成都 files the most.
CITIES: list[tuple[str, str, int]] = [
    ("510100", "成都市", 26), ("510300", "自贡市", 3), ("510400", "攀枝花市", 2), ("510500", "泸州市", 5),
    ("510600", "德阳市", 4), ("510700", "绵阳市", 6), ("510800", "广元市", 3), ("510900", "遂宁市", 3),
    ("511000", "内江市", 4), ("511100", "乐山市", 4), ("511300", "南充市", 7), ("511400", "眉山市", 3),
    ("511500", "宜宾市", 5), ("511600", "广安市", 4), ("511700", "达州市", 6), ("511800", "雅安市", 2),
    ("511900", "巴中市", 3), ("512000", "资阳市", 3), ("513200", "阿坝藏族羌族自治州", 1),
    ("513300", "甘孜藏族自治州", 1), ("513400", "凉山彝族自治州", 5),
]
# Statuses of the 10,000 applications (share, per mille). The first 'filed' ones are the filed
# bodies' initial filings; the rest are renewals or older files of the same bodies.
STATUS_SHARES = [("draft", 50), ("submitted", 80), ("supplement_requested", 50), ("accepted", 50),
                 ("evaluating", 40), ("evaluated", 30), ("filed", 160), ("refused", 200), ("terminated", 140),
                 ("withdrawn", 200)]
PLAN_STATUSES = [("published", 25), ("applied", 10), ("approved", 15), ("results_submitted", 10),
                 ("results_approved", 35), ("cancelled", 5)]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LEVEL_LABELS = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}
SC_PACK, BZ_PACK = "sc-2021-appraisal", "bz-2023-special"


def db_name(scale_name: str) -> str:
    return f"skillreg_bench_pages_{scale_name}"


def _counts() -> dict[str, int]:
    from skillreg.exams.models import Candidate, ExamPlan
    from skillreg.registry.models import Application, DirectoryEntry, Institution

    return {"filed": Institution.objects.filter(status="filed").count(),
            "registered": Institution.objects.filter(status="registered").count(),
            "applications": Application.objects.count(), "plans": ExamPlan.objects.count(),
            "candidates": Candidate.objects.count(), "entries": DirectoryEntry.objects.count()}


def load(scale_name: str) -> None:
    from django.db import connection, transaction

    size = SIZES[scale_name]
    have = _counts()
    want = {**size, "entries": size["filed"]}
    if have == want:
        log(f"bench data already loaded: {have}")
        return
    if any(have.values()):
        raise SystemExit(f"{db_name(scale_name)} holds {have}, not {want}: drop it (dropdb) and run again")
    started = time.monotonic()
    with transaction.atomic():
        _load(size)
    with connection.cursor() as cursor:  # the steady state autovacuum keeps a live database in
        cursor.execute("VACUUM (ANALYZE)")
    log(f"loaded {_counts()} in {time.monotonic() - started:.0f} s")


def _load(size: dict[str, int]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.datagen import Generator, _counties_by_year, national_body_code
    from skillreg.accounts.models import Authority, Role, User
    from skillreg.exams.models import Candidate, ExamPlan, Registration, Venue
    from skillreg.registry.models import (
        Application,
        DirectoryEntry,
        Filing,
        Institution,
        InstitutionScope,
        SupplementNotice,
    )
    from skillreg.registry.models.search import index_entries
    from skillreg.supervision.models import Evaluation
    from skillreg.workdays.calendar import WorkCalendar

    gen = Generator(seed=5)
    rnd = gen.rnd
    cal = WorkCalendar()
    today = NOW.date()
    # County codes of each city as they stand now (institutions) and by birth year (ID numbers).
    counties: dict[str, list[str]] = {}
    for code, _, _ in CITIES:
        by_year = _counties_by_year(code[:4])
        gen._counties[code[:4]] = by_year  # datagen keeps them per city: add 四川's
        counties[code] = by_year[max(by_year)] or [code]
    city_w = [w for _, _, w in CITIES]

    province = Authority.objects.create(name="四川省人力资源和社会保障厅", region_code="510000", region_name="四川省",
                                        level=Authority.Level.PROVINCE)
    centre = Authority.objects.create(name="四川省职业技能鉴定指导中心", region_code="510000", region_name="四川省",
                                      level=Authority.Level.PROVINCE, kind=Authority.Kind.CENTRE)
    cities = {code: Authority.objects.create(name=f"{name}人力资源和社会保障局", region_code=code, region_name=name,
                                             level=Authority.Level.CITY, parent=province)
              for code, name, _ in CITIES}

    def user(username: str, role: str, authority: Any = None, institution: Any = None) -> Any:
        u = User(username=username, display_name=username, role=role, authority=authority, institution=institution)
        u.set_unusable_password()  # force_login only
        u.save()
        if role != Role.INSTITUTION_USER:  # an enrolled authenticator, as every official has (settings)
            TOTPDevice.objects.create(user=u, name="bench", confirmed=True)
        return u

    prov_official = user("bench-province-filing", Role.FILING_OFFICIAL, province)
    prov_approver = user("bench-province-approving", Role.APPROVING_OFFICIAL, province)
    user("bench-centre", Role.CENTRE_STAFF, centre)
    city_officials = {code: user(f"bench-{code}-filing", Role.FILING_OFFICIAL, a) for code, a in cities.items()}
    city_approvers = {code: user(f"bench-{code}-approving", Role.APPROVING_OFFICIAL, a) for code, a in cities.items()}

    # --- institutions -------------------------------------------------------------------------
    n_filed, n_reg = size["filed"], size["registered"]
    insts: list[Any] = []
    for i in range(n_filed + n_reg):
        city, place, _ = rnd.choices(CITIES, weights=city_w)[0]
        region = rnd.choice(counties[city])
        kind = gen.kind()
        filed = i < n_filed
        pack = BZ_PACK if city == "511900" and rnd.random() < 0.5 else SC_PACK
        insts.append(Institution(
            name=gen.institution_name(place, kind), credit_code=gen.credit_code(region, i + 1), body_kind=kind,
            legal_representative=gen.person_name(), address=f"{place}人民路{i + 1}号", region_code=region,
            head_name=gen.person_name(), contact_phone=f"028-{8000_0000 + i}",
            authority=cities[city] if rnd.random() < 0.85 else province, pack_id=pack,
            status="filed" if filed else "registered",
            registered_at=NOW - dt.timedelta(days=rnd.randint(30, 2000)),
            code=national_body_code("Y" if kind == "enterprise" else "S", "51", i + 1) if filed else None,
            valid_until=today + dt.timedelta(days=rnd.randint(20, 1800)) if filed else None))
    Institution.objects.bulk_create(insts, batch_size=2000)
    filed_insts, reg_insts = insts[:n_filed], insts[n_filed:]
    scopes: list[Any] = []
    scope_of: dict[int, list[Any]] = {}
    for inst in filed_insts:
        for name, levels in gen.scope():
            for lv in levels:
                s = InstitutionScope(institution=inst, name=name, level=lv, assessors=rnd.randint(2, 30))
                scopes.append(s)
                scope_of.setdefault(inst.pk, []).append(s)
    InstitutionScope.objects.bulk_create(scopes, batch_size=5000)

    # --- directory: one current entry per filed body, indexed as publish() indexes it ------------
    entries = []
    for inst in filed_insts:
        scope: dict[str, list[str]] = {}
        for s in scope_of[inst.pk]:
            scope.setdefault(s.name, []).append(LEVEL_LABELS[s.level])
        record = {"name": inst.name, "code": inst.code, "region_code": inst.region_code,
                  "authority": inst.authority.name, "pack_id": inst.pack_id, "body_kind": inst.body_kind,
                  "status": inst.status, "valid_until": inst.valid_until.isoformat(),
                  "scope": [{"name": n, "levels": lv} for n, lv in scope.items()], "suspended": [],
                  "address": inst.address, "head": inst.head_name}
        entries.append(DirectoryEntry(institution=inst, version=1, data=record, active=True,
                                      published_at=inst.registered_at + dt.timedelta(days=20)))
    DirectoryEntry.objects.bulk_create(entries, batch_size=2000)
    index_entries(entries, batch_size=5000)

    # --- applications with their clocks --------------------------------------------------------
    statuses = [s for s, share in STATUS_SHARES for _ in range(size["applications"] * share // 1000)]
    statuses += ["withdrawn"] * (size["applications"] - len(statuses))
    rnd.shuffle(statuses)
    # The filed bodies' initial filings come first; renewals and older files of filed bodies
    # take a third of the rest, registered bodies the others.
    first_filed = [i for i, s in enumerate(statuses) if s == "filed"][:n_filed]
    owner: dict[int, Any] = dict(zip(first_filed, filed_insts, strict=False))
    apps: list[Any] = []
    notices: list[tuple[int, dt.date]] = []
    for i, status in enumerate(statuses):
        inst = owner.get(i) or (rnd.choice(filed_insts) if status == "filed" or rnd.random() < 0.33
                                else rnd.choice(reg_insts))
        renewal = i not in owner and inst.status == "filed" and status not in ("draft",)
        city = inst.region_code[:4] + "00"
        authority = inst.authority
        days_ago = rnd.randint(1, 45) if status in ("submitted", "supplement_requested", "accepted", "evaluating",
                                                    "evaluated", "draft") else rnd.randint(30, 1800)
        created = NOW - dt.timedelta(days=days_ago + rnd.randint(0, 10), minutes=rnd.randint(0, 600))
        submitted = None if status == "draft" else NOW - dt.timedelta(days=days_ago, minutes=rnd.randint(0, 600))
        a = Application(institution=inst, pack_id=inst.pack_id, kind="renewal" if renewal else "initial",
                        status=status, form={"scope": [{"name": s.name, "level": s.level}
                                                       for s in scope_of.get(inst.pk, [])[:4]]},
                        authority=None if status == "draft" else authority, region_code=inst.region_code,
                        routing_source="001 二", created_at=created, submitted_at=submitted)
        if submitted:
            sub_day = submitted.date()
            a.material_check_due = cal.add_workdays(sub_day, 5).date
            a.handled_by = city_officials[city] if authority.level == "city" else prov_official
        if status in ("accepted", "evaluating", "evaluated", "filed", "refused"):
            a.accepted_at = submitted + dt.timedelta(days=rnd.randint(1, 6))
            a.completion_due = cal.add_workdays(a.accepted_at.date(), 20).date
        if status in ("evaluating", "evaluated", "filed", "refused"):
            a.evaluation_started_at = a.accepted_at + dt.timedelta(days=3)
        if status in ("evaluated", "filed", "refused"):
            a.evaluated_at = a.evaluation_started_at + dt.timedelta(days=7)
        if status in ("filed", "refused", "terminated", "withdrawn"):
            a.decided_at = submitted + dt.timedelta(days=rnd.randint(10, 28))
            if status in ("filed", "refused"):
                a.decided_by = city_approvers[city] if authority.level == "city" else prov_approver
        if status == "supplement_requested":
            notices.append((i, cal.add_workdays(sub_day + dt.timedelta(days=3), 10).date))
        apps.append(a)
    Application.objects.bulk_create(apps, batch_size=2000)
    SupplementNotice.objects.bulk_create([
        SupplementNotice(application=apps[i],
                         items=[{"key": "venue-photos", "text": "补充考场照片", "source": "001 三(一)2(2)"}],
                         issued_at=apps[i].submitted_at + dt.timedelta(days=3), issued_by=apps[i].handled_by, due=due,
                         source="001 三(一)2(2)")
        for i, due in notices])
    Filing.objects.bulk_create([
        Filing(institution=a.institution, application=a, code=a.institution.code,
               valid_from=a.decided_at.date(), valid_until=a.institution.valid_until, filed_at=a.decided_at,
               filed_by=a.decided_by) for a in apps if a.status == "filed"], batch_size=2000)
    # The latest grades the dashboard charts (half the filed bodies were graded).
    Evaluation.objects.bulk_create([
        Evaluation(institution=inst, kind="periodic", proposed_grade=g, grade=g, source="001 五(三)",
                   evaluated_by=prov_official, evaluated_at=NOW - dt.timedelta(days=rnd.randint(10, 300)))
        for inst in filed_insts if rnd.random() < 0.5
        for g in [rnd.choices(["优秀", "良好", "合格", "不合格"], weights=[20, 45, 30, 5])[0]]], batch_size=2000)

    # --- exam plans, venues, candidates, registrations -----------------------------------------
    inst_users = {inst.pk: user(f"bench-inst-{inst.pk}", Role.INSTITUTION_USER, institution=inst)
                  for inst in filed_insts}
    venues = [Venue(institution=inst, kind="filed", name=f"{inst.name}考点", address=inst.address,
                    region_code=inst.region_code, rooms=rnd.randint(2, 12), capacity=rnd.randint(60, 600),
                    status="approved", applied_at=inst.registered_at, applied_by=inst_users[inst.pk])
              for inst in filed_insts]
    Venue.objects.bulk_create(venues, batch_size=2000)
    venue_of = {v.institution_id: v for v in venues}
    plan_statuses = [s for s, w in PLAN_STATUSES for _ in range(w)]
    plans = []
    for j in range(size["plans"]):
        inst = filed_insts[j % n_filed]
        s = rnd.choice(scope_of[inst.pk])
        start = today + dt.timedelta(days=rnd.randint(-330, 60))
        status = rnd.choice(plan_statuses)
        if start > today and status not in ("published", "applied", "approved", "cancelled"):
            status = "published"
        plans.append(ExamPlan(
            institution=inst, scope=s, scope_name=s.name, level=s.level, venue=venue_of[inst.pk],
            region_code=inst.region_code, pack_id=inst.pack_id, title=f"{s.name}{LEVEL_LABELS[s.level]}考核",
            registration_opens=start - dt.timedelta(days=40), registration_closes=start - dt.timedelta(days=10),
            exam_start=start, exam_end=start + dt.timedelta(days=rnd.randint(0, 2)),
            fee=Decimal(rnd.choice([80, 120, 180, 260])),
            status=status, created_at=NOW - dt.timedelta(days=(today - start).days + 50),
            created_by=inst_users[inst.pk], published_at=NOW - dt.timedelta(days=(today - start).days + 45)))
    ExamPlan.objects.bulk_create(plans, batch_size=2000)
    # Plan sizes vary (a few sittings several times the median): weights drawn once, candidates assigned by them.
    plan_w = [rnd.lognormvariate(0, 0.8) for _ in plans]
    people: list[Any] = []
    seen: set[str] = set()
    while len(people) < size["candidates"]:
        city = rnd.choices(CITIES, weights=city_w)[0][0] if rnd.random() < 0.9 else None
        p = gen.person(city)
        if p.id_number not in seen:
            seen.add(p.id_number)
            people.append(p)
    cands = [Candidate(id_number=p.id_number, name=p.name, gender="男" if int(p.id_number[16]) % 2 else "女",
                       birth_date=dt.date(int(p.id_number[6:10]), int(p.id_number[10:12]), int(p.id_number[12:14])),
                       created_at=NOW - dt.timedelta(days=rnd.randint(1, 700))) for p in people]
    Candidate.objects.bulk_create(cands, batch_size=5000)
    regs = []
    picks = rnd.choices(range(len(plans)), weights=plan_w, k=len(cands) + len(cands) // 10)
    for k, pi in enumerate(picks):  # a tenth of the people sit a second exam
        cand = cands[k % len(cands)]
        plan = plans[pi]
        regs.append(Registration(plan=plan, candidate=cand, name=cand.name,
                                 education=rnd.choice(["高中", "中专", "大专", "本科"]),
                                 work_unit="", relation=rnd.choice(["employee", "dispatched", "none"]),
                                 entered_at=plan.created_at + dt.timedelta(days=rnd.randint(5, 30), seconds=k),
                                 entered_by=plan.created_by))
    # One registration per (plan, candidate) (constraint): a repeat pick of the same pair is dropped.
    unique: dict[tuple[int, int], Any] = {}
    for r in regs:
        unique.setdefault((r.plan.pk, r.candidate.pk), r)
    Registration.objects.bulk_create(list(unique.values()), batch_size=5000)


# --- measurement -------------------------------------------------------------------------------


def _client(username: str) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from skillreg.accounts.models import User

    u = User.objects.get(username=username)
    client = Client()
    client.force_login(u, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=u).first()
    if device is not None:  # signed in with the second factor, as the middleware requires
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def pages() -> list[tuple[str, str, str]]:
    """(label, who, URL) of every measured page."""
    from django.db.models import Count

    from skillreg.exams.models import ExamPlan

    # The plan page: the largest sitting (its whole candidate list is on the page).
    plan = (ExamPlan.objects.exclude(status="draft").annotate(n=Count("registrations"))
            .order_by("-n", "pk").first())
    inst_user = f"bench-inst-{plan.institution_id}"
    return [
        ("worklist, province", "bench-province-filing", "/applications/"),
        ("worklist, province, status=submitted", "bench-province-filing", "/applications/?status=submitted"),
        ("worklist, province, page 2", "bench-province-filing", "/applications/?page=2"),
        ("worklist, city (成都)", "bench-510100-filing", "/applications/"),
        ("worklist, city, status=open", "bench-510100-filing", "/applications/?status=open"),
        ("worklist, city, page 2", "bench-510100-filing", "/applications/?page=2"),
        ("dashboard, province", "bench-province-filing", "/dashboard/"),
        ("dashboard, city", "bench-510100-filing", "/dashboard/"),
        ("exams index, province centre", "bench-centre", "/exams/"),
        (f"exam plan page ({plan.n} candidates), institution", inst_user, f"/exams/plans/{plan.public_id}/"),
        ("exam plan page, province centre", "bench-centre", f"/exams/plans/{plan.public_id}/"),
        ("supervision index, province", "bench-province-filing", "/supervision/"),
        ("supervision index, city", "bench-510100-filing", "/supervision/"),
        ("directory page, q=电工", "", "/directory/?q=%E7%94%B5%E5%B7%A5"),
        ("directory API, q=电工", "", "/api/v1/public/institutions?q=%E7%94%B5%E5%B7%A5"),
    ]


def measure(repeats: int, *, freeze: bool = True, only: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from skillreg.core import clock

    # Time spent in the cyclic garbage collector during the timed requests: a full collection
    # lands in one request in ten or so and costs more than the page itself on the large ones.
    gc_ms = [0.0]
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_ms[0] += (time.perf_counter() - gc_started[0]) * 1000

    # The served app's module (README.md's gunicorn serves skillreg.wsgi:application): what it does
    # at load, its gc.freeze() included, is done here before the first request, as in each worker.
    import skillreg.wsgi  # noqa: F401

    if not freeze:
        gc.unfreeze()
    rows = []
    clients: dict[str, Any] = {}
    with clock.frozen(NOW):
        measured = pages()
        if only:  # while working on one page: the pages whose label contains any of these
            measured = [page for page in measured if any(part in page[0] for part in only)]
        responses = {}
        for label, who, url in measured:  # warm-up of every page (and the status check)
            client = clients.get(who) or clients.setdefault(who, _client(who) if who else Client())
            responses[label] = response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
        log(f"{len(gc.get_objects()):,} objects tracked by the collector after the warm-up"
            f"{f' ({gc.get_freeze_count():,} frozen)' if freeze else ''}")
        gc.callbacks.append(on_gc)
        for label, who, url in measured:
            client, response = clients[who], responses[label]
            # Emptied first: the request_started signal may empty it too (reset_queries), and the
            # context counts from the length it saw on entry.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            captured = list(ctx.captured_queries)  # a view of the log: copied before the next request empties it
            times = []
            gc_ms[0] = 0.0
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            row = {"page": label, "user": who or "(public)", "url": url, "queries": len(captured),
                   "median_ms": median(times), "p95_ms": percentile(times, 95), "max_ms": max(times),
                   "bytes": len(response.content), "times_ms": times,
                   "gc_ms_per_request": gc_ms[0] / repeats}
            # The three slowest statements of the counted request, for whoever looks into a slow page.
            row["slowest_sql"] = sorted(({"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]}
                                         for q in captured), key=lambda q: -q["ms"])[:3]
            rows.append(row)
            log(f"{label:46s} {row['queries']:4d} queries  median {row['median_ms']:7.1f} ms  "
                f"p95 {row['p95_ms']:7.1f} ms  GC {row['gc_ms_per_request']:5.1f} ms/req  "
                f"{'met' if row['p95_ms'] < TARGET_P95_MS else 'MISSED'}")
    gc.callbacks.remove(on_gc)
    if freeze:
        gc.unfreeze()
    return rows


def main() -> None:
    scale = scale_from_argv()
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 30
    name = db_name(scale.name)
    if "--reload" in sys.argv:  # this benchmark's own database only
        import psycopg

        with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ensure_pg_database(name)
    url = pg_url(name)
    migrate(url)
    # Served as in production (DEBUG off: no query log kept per request, templates cached).
    setup_django(url, SKILLREG_DEBUG="0", SKILLREG_SECRET_KEY="bench-" + "x" * 50,
                 SKILLREG_ALLOWED_HOSTS="testserver", SKILLREG_SSL_REDIRECT="0", SKILLREG_SECURE_COOKIES="0",
                 SKILLREG_CACHE_URL=os.environ.get("BENCH_CACHE_URL", "locmem://"),
                 SKILLREG_LOG_LEVEL=os.environ.get("SKILLREG_LOG_LEVEL", "WARNING"))
    load(scale.name)
    if "--load-only" in sys.argv:
        return
    m = machine()
    log(f"pages at scale {scale.name} ({SIZES[scale.name]}), {m['cpus']} CPUs, load {m['load_avg_1m_at_start']}, "
        f"{repeats} requests each")
    freeze = "--no-gc-freeze" not in sys.argv
    only = tuple(sys.argv[i + 1] for i, arg in enumerate(sys.argv[:-1]) if arg == "--only")
    rows = measure(repeats, freeze=freeze, only=only)
    # A run of some pages only does not replace the record of the whole figure.
    path = write_result(("pages" if freeze else "pages-no-gc-freeze") + ("-only" if only else ""), scale, {
        "gc_freeze": freeze, "only": list(only), "sizes": SIZES[scale.name], "counts": _counts(), "repeats": repeats,
        "target_p95_ms": TARGET_P95_MS, "pages": rows, "load_avg_1m_at_end": round(os.getloadavg()[0], 2)})
    print(f"\nPages at scale {scale.name}: {m['cpus']} CPUs, load {m['load_avg_1m_at_start']} → "
          f"{os.getloadavg()[0]:.2f}; {repeats} requests each")
    print(f"{'page':48s} {'queries':>7s} {'median':>9s} {'p95':>9s}  target p95 < {TARGET_P95_MS:.0f} ms")
    for r in rows:
        print(f"{r['page']:48s} {r['queries']:7d} {r['median_ms']:7.1f}ms {r['p95_ms']:7.1f}ms  "
              f"{'met' if r['p95_ms'] < TARGET_P95_MS else 'MISSED'}")
    log(f"written {path}")


if __name__ == "__main__":
    main()
