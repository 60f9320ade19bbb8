"""Roster rows in bulk: what the checks need loaded in a constant number of queries, and the write.

Issue 8, figure 3: a 100,000-row roster is checked and committed in a few times the time
python-calamine takes to read it. The rules themselves are ``RegistrationRules.check``
(registrations.py), unchanged; this module only feeds them (one query for the candidates
the file names, whatever its size) and writes the accepted rows: on PostgreSQL with COPY into
a temporary table and two INSERT … SELECT, elsewhere with ``bulk_create`` in large batches.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError
from skillreg.exams.models import Candidate, ExamPlan, Registration, Relation, RosterImport
from skillreg.exams.services.common import local_date, lock_plan, require_institution_user
from skillreg.exams.services.registrations import (
    COLUMNS,
    RELATION_BY_LABEL,
    CandidateRow,
    RegistrationRules,
    RowError,
    check_entry_window,
)

ORM_BATCH = 2000  # rows per INSERT where COPY is not available (SQLite: ≤ 32,766 parameters)
_STAGE = "skillreg_roster_stage"

# Columns a rule does not look at but the table limits: too long a value would fail the whole
# commit on PostgreSQL, so it is reported on its row at the check, like every other problem.
_LIMITED = ("education", "work_unit", "phone")


def _max_length(key: str) -> int:
    field = cast("models.CharField[Any, Any]", Registration._meta.get_field(key))
    return int(field.max_length or 0)


LIMITS = {key: _max_length(key) for key in _LIMITED}


_EDUCATION_MAX, _WORK_UNIT_MAX, _PHONE_MAX = LIMITS["education"], LIMITS["work_unit"], LIMITS["phone"]


def length_problems(row: CandidateRow) -> list[RowError]:
    if len(row.education) <= _EDUCATION_MAX and len(row.work_unit) <= _WORK_UNIT_MAX \
            and len(row.phone) <= _PHONE_MAX:
        return []  # the common case, decided without stripping (a stripped value is never longer)
    errors = []
    for key, limit in LIMITS.items():
        value = getattr(row, key).strip()
        if len(value) > limit:
            errors.append(RowError(row.row, COLUMNS[key], f"{COLUMNS[key]}过长（最多 {limit} 字）"))
    return errors


def known_candidates(ids: Iterable[str]) -> dict[str, tuple[int, str]]:
    """身份证号码 → (candidate pk, name) for the numbers already known, in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = connection.ops.quote_name(Candidate._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter: the index answers each number; no 100,000-item IN list.
            cursor.execute(f"SELECT id_number, id, name FROM {table} WHERE id_number = ANY(%s)", [wanted])  # noqa: S608
        else:
            # SQLite (and the rest): one JSON parameter instead of thousands of placeholders.
            cursor.execute(f"SELECT id_number, id, name FROM {table} "  # noqa: S608
                           "WHERE id_number IN (SELECT value FROM json_each(%s))", [json.dumps(wanted)])
        return {number: (pk, name) for number, pk, name in cursor.fetchall()}


def rules_for(plan: ExamPlan, rows: Sequence[CandidateRow]) -> tuple[RegistrationRules, dict[str, int]]:
    """The plan's rules with every name the file's candidates are known by loaded: a constant
    number of queries for 10 rows or 100,000 (``test_import_bulk``). Also the known pks."""
    rules = RegistrationRules.for_plan(plan)
    known = known_candidates(r.normalised_id() for r in rows)
    rules.known_names.update((number, name) for number, (_, name) in known.items())
    return rules, {number: pk for number, (pk, _) in known.items()}


def check(rules: RegistrationRules, row: CandidateRow, *, today: dt.date) -> list[RowError]:
    """Every problem of one row: the registration rules, then the table's length limits."""
    errors = rules.check(row, today=today)
    extra = length_problems(row)
    if extra:
        # The rules remembered a good row as "seen"; a row too long for the table is not good.
        if not errors:
            rules.seen.pop(row.normalised_id(), None)
        errors.extend(extra)
    return errors


def registrations_write(*, actor: Any, plan: ExamPlan, rows: Sequence[CandidateRow], at: dt.datetime,
                        roster_import: RosterImport, skipped: int = 0) -> int:
    """Write every accepted row or none: the caller holds the transaction (one per import commit).

    Rows are checked again first, under the plan's lock; if anything changed since the check
    (another entry, a training roster, the deadline), the whole commit is refused and nothing
    is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registrations_write must run inside the import's transaction")
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    today = local_date(at)
    check_entry_window(plan, today)
    rules, known = rules_for(plan, rows)
    stale = sum(1 for row in rows if check(rules, row, today=today))
    if stale:
        raise DomainError(f"导入前复核发现 {stale} 行有问题（名册或报名情况已变化），"
                          "本次未写入任何数据，请重新上传校验", code="import_stale")
    count = _write_rows(plan, rows, known=known, actor=actor, at=at, roster_import=roster_import)
    if count != len(rows):  # a known candidate vanished under us: write nothing
        raise DomainError("导入时考生信息发生变化，本次未写入任何数据，请重新上传校验", code="import_stale")
    # One audit event for the import as a whole, in the same transaction as the rows it
    # describes (README: every state change audited in its transaction). The import is one
    # change of the plan's roster; an event per row would record 100,000 copies of it.
    audit.record(actor=actor, action="exams.roster_imported", obj=plan, at=at,
                 summary=f"导入考生名册 {count} 人（跳过问题行 {skipped} 行）",
                 after={"count": count, "skipped": skipped, "import": str(roster_import.public_id)})
    return count


# --- the write ---------------------------------------------------------------------------


def _write_rows(plan: ExamPlan, rows: Sequence[CandidateRow], *, known: dict[str, int], actor: Any,
                at: dt.datetime, roster_import: RosterImport) -> int:
    if connection.vendor == "postgresql":
        return _write_postgresql(plan, rows, known=known, actor=actor, at=at, roster_import=roster_import)
    return _write_orm(plan, rows, known=known, actor=actor, at=at, roster_import=roster_import)


def _relation(row: CandidateRow) -> str:
    return RELATION_BY_LABEL[row.relation.strip() or Relation.NONE]


def _new_candidate_fields(number: str) -> tuple[str, dt.date]:
    """Gender and birth date as ``idcard.parse_id`` reads them (17th digit odd: 男; digits 7-14), for
    a number this commit's check has just passed: parsing checks it again, a third of the cost of
    a new candidate (``test_import_bulk`` compares the two)."""
    return ("男" if int(number[16]) % 2 else "女"), dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _write_postgresql(plan: ExamPlan, rows: Sequence[CandidateRow], *, known: dict[str, int], actor: Any,
                      at: dt.datetime, roster_import: RosterImport) -> int:
    """COPY the rows into a temporary table, then insert the new candidates and the registrations
    with one statement each: no Python object per row, no per-row round trip."""
    quote = connection.ops.quote_name
    candidates, registrations = quote(Candidate._meta.db_table), quote(Registration._meta.db_table)
    prep = _prep_value
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} (ord integer NOT NULL, id_number text NOT NULL, name text NOT NULL, "
            "gender text, birth_date date, education text NOT NULL, work_unit text NOT NULL, relation text NOT NULL, "
            "phone text NOT NULL) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {_STAGE} (ord, id_number, name, gender, birth_date, education, work_unit, "
                                "relation, phone) FROM STDIN") as copy:
            for ord_, row in enumerate(rows):
                number = row.normalised_id()
                # Gender and birth date only for a person not yet known: those rows become candidates.
                gender, birth = (None, None) if number in known else _new_candidate_fields(number)
                copy.write_row((ord_, number, row.name.strip(), gender, birth, row.education.strip(),
                                row.work_unit.strip(), _relation(row), row.phone.strip()))
        # Statistics for the planner: it then joins 100,000 staged rows to a national candidate
        # table by its index rather than guessing the temporary table's size.
        cursor.execute(f"ANALYZE {_STAGE}")
        insert = (f"INSERT INTO {candidates} (id_number, name, gender, birth_date, created_at) "  # noqa: S608
                  f"SELECT id_number, name, gender, birth_date, %s FROM {_STAGE} WHERE gender IS NOT NULL ORDER BY ord")
        created_at = [prep(Candidate, "created_at", at)]
        try:
            with transaction.atomic():  # a savepoint
                cursor.execute(insert, created_at)
        except IntegrityError:
            # A person entered by another institution since the check is the same candidate.
            # Only then ON CONFLICT, which costs nearly twice as much per row as the plain insert.
            cursor.execute(insert + " ON CONFLICT (id_number) DO NOTHING", created_at)
        columns, values, params = _registration_columns(plan, actor=actor, at=at, roster_import=roster_import)
        cursor.execute(
            f"INSERT INTO {registrations} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
            f"FROM {_STAGE} s JOIN {candidates} c ON c.id_number = s.id_number ORDER BY s.ord", params)
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}")
    return count


def _prep_value(model: type[Any], name: str, value: Any) -> Any:
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _registration_columns(plan: ExamPlan, *, actor: Any, at: dt.datetime,
                          roster_import: RosterImport) -> tuple[list[str], list[str], list[Any]]:
    """The INSERT's columns and the SELECT's expressions, from the model's fields: a field added
    later with a default gets its default (a constant), so this statement keeps up with the model."""
    staged = {"name": "s.name", "education": "s.education", "work_unit": "s.work_unit",
              "relation": "s.relation", "phone": "s.phone", "candidate": "c.id",
              "public_id": "gen_random_uuid()"}
    given = {"plan": plan.pk, "entered_at": at, "entered_by": actor.pk, "roster_import": roster_import.pk}
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for f in Registration._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(str(f.column)))
        if f.name in staged:
            values.append(staged[f.name])
            continue
        if f.name in given:
            value = given[f.name]
        elif (f.has_default() and not callable(f.default)) or f.null:
            value = f.get_default()
        else:
            raise RuntimeError(f"roster import does not know how to fill Registration.{f.name}")
        values.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    return columns, values, params


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_orm(plan: ExamPlan, rows: Sequence[CandidateRow], *, known: dict[str, int], actor: Any,
               at: dt.datetime, roster_import: RosterImport) -> int:
    """``bulk_create`` in batches of ``ORM_BATCH``; the model objects of one batch at a time."""
    pks = dict(known)
    new = (row for row in rows if row.normalised_id() not in known)
    for batch in _batches(new, ORM_BATCH):
        objs = []
        for row in batch:
            number = row.normalised_id()
            gender, birth = _new_candidate_fields(number)
            objs.append(Candidate(id_number=number, name=row.name.strip(), gender=gender, birth_date=birth,
                                  created_at=at))
        Candidate.objects.bulk_create(objs)
        if any(c.pk is None for c in objs):  # a backend that does not return keys
            pks.update((n, pk) for n, (pk, _) in known_candidates(c.id_number for c in objs).items())
        else:
            pks.update((c.id_number, c.pk) for c in objs)
    count = 0
    for batch in _batches(rows, ORM_BATCH):
        Registration.objects.bulk_create([
            Registration(plan=plan, candidate_id=pks[row.normalised_id()], name=row.name.strip(),
                         education=row.education.strip(), work_unit=row.work_unit.strip(), relation=_relation(row),
                         phone=row.phone.strip(), entered_at=at, entered_by=actor, roster_import=roster_import)
            for row in batch])
        count += len(batch)
    return count
