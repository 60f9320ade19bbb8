"""Roster rows in bulk: what the checks need loaded in a constant number of queries, and the write.

Issue 8, figure 3: a 100,000-row roster is checked and committed in a few times the time
python-calamine takes to read it. The rules themselves are ``RegistrationRules.check``
(registrations.py), unchanged; this module only feeds them (one query for the candidates
the file names, whatever its size) and writes the accepted rows: on PostgreSQL with COPY into
a temporary table and two INSERT … SELECT, elsewhere with ``bulk_create`` in large batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils.crypto import constant_time_compare

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError
from skillreg.exams.idcard import birth_text_of, gender_of
from skillreg.exams.models import Candidate, ExamPlan, Registration, Relation, RosterImport
from skillreg.exams.services.common import local_date, lock_plan, pack_of, require_institution_user
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
_COPY_CHUNK = 1 << 20  # bytes per COPY message

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
            and len(row.phone) <= _PHONE_MAX and "\0" not in row.name + row.education + row.work_unit + row.phone:
        return []  # the common case, decided without stripping (a stripped value is never longer)
    errors = []
    for key in ("name", *LIMITS):
        # A NUL character (an Excel "_x0000_" escape) cannot be stored in a PostgreSQL text column.
        if "\0" in getattr(row, key):
            errors.append(RowError(row.row, COLUMNS[key], f"{COLUMNS[key]}含有无法保存的控制字符，请删除后重新上传"))
    for key, limit in LIMITS.items():
        value = getattr(row, key).strip()
        if len(value) > limit:
            errors.append(RowError(row.row, COLUMNS[key], f"{COLUMNS[key]}过长（最多 {limit} 字）"))
    return errors


def known_candidates(ids: Iterable[str]) -> dict[str, tuple[int, str]]:
    """身份证号码 → (candidate pk, name) for the numbers already known, in one query."""
    wanted = sorted({i for i in ids if "," not in i})  # a number with a comma is no number
    if not wanted:
        return {}
    table = connection.ops.quote_name(Candidate._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One text parameter split by the server (the numbers hold no comma): the index answers
            # each number; no 100,000-item IN list, and no array of 100,000 values built by the driver.
            cursor.execute(f"SELECT id_number, id, name FROM {table} "  # noqa: S608
                           "WHERE id_number = ANY(string_to_array(%s, ','))", [",".join(wanted)])
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


# --- the checked rows, as the commit loads them ----------------------------------------------
# The check keeps the rows it passed as the text PostgreSQL's COPY reads (one line per row, the
# values trimmed, the relation as stored), with a fingerprint of everything the check read
# besides the rows. The commit streams that text unchanged when the fingerprint still matches,
# instead of building 100,000 objects and checking them again (issue 8, figure 3).

# Bump when a row rule changes: rows checked by the older rules are then checked again at commit.
RULES_VERSION = 1
_STAGE_COLUMNS = ("ord", "public_id", "id_number", "name", "gender", "birth_date", "education", "work_unit", "relation",
                  "phone")
_UUIDS_PER_DRAW = 4096
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


@dataclass(frozen=True)
class StagedRows:
    """The good rows of a check as COPY text, and the fingerprint of what the check read."""

    text: bytes
    count: int
    fingerprint: str

    def rows(self) -> list[CandidateRow]:
        """The rows again, for a commit that must check them anew (something changed)."""
        out = []
        # Split on "\n" only: the other line breaks str.splitlines knows may be in a value.
        for line in self.text.decode().split("\n")[:-1]:
            ord_, _, number, name, _, _, education, work_unit, relation, phone = (
                _unescape(v) for v in line.split("\t"))
            out.append(CandidateRow(name=name, id_number=number, education=education, work_unit=work_unit,
                                    relation=relation, phone=phone, row=int(ord_)))
        return out


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return re.sub(r"\\[\\tnr]", lambda m: _UNESCAPES[m.group(0)], value)


def stage(rows: Iterable[CandidateRow], *, known: Container[str], fingerprint: str) -> StagedRows:
    """COPY text of ``rows`` (checked good), one line each: Excel row, the registration's public_id,
    身份证号码, 姓名, gender and birth date (only for a person not in ``known``, who becomes a
    candidate: GB 11643, 17th digit odd 男, digits 7-14, read without parsing again what the check
    has just passed), 文化程度, 工作单位, relation as stored, 电话."""
    lines = []
    relation_of = RELATION_BY_LABEL
    none = Relation.NONE
    count = 0
    variant = "89ab"
    for row in rows:
        # The registration's public_id, a random (version 4) UUID as uuid.uuid4 makes it, drawn from
        # os.urandom for thousands of rows at once: gen_random_uuid() per row was a tenth of the
        # INSERT, uuid.uuid4() per row costs more than the rest of the line.
        at = count % _UUIDS_PER_DRAW
        if at == 0:
            pool = os.urandom(16 * _UUIDS_PER_DRAW).hex()
        h = pool[32 * at:32 * at + 32]
        public_id = f"{h[:12]}4{h[13:16]}{variant[int(h[16], 16) & 3]}{h[17:]}"
        number = row.normalised_id()
        # A known candidate's gender and birth are not written (\N); a new one's from the number.
        gender_birth = "\\N\t\\N" if number in known else f"{gender_of(number)}\t{birth_text_of(number)}"
        values: tuple[str, ...] = (row.name.strip(), row.education.strip(), row.work_unit.strip(),
                                   relation_of[row.relation.strip() or none], row.phone.strip())
        joined = "\t".join(values)
        if joined.count("\t") != 4 or "\\" in joined or "\n" in joined or "\r" in joined:
            values = tuple(v.translate(_ESCAPES) for v in values)
        name, education, work_unit, relation, phone = values
        lines.append(f"{row.row}\t{public_id}\t{number}\t{name}\t{gender_birth}\t{education}\t{work_unit}\t{relation}\t{phone}\n")
        count += 1
    return StagedRows(text="".join(lines).encode(), count=count, fingerprint=fingerprint)


def fingerprint(plan: ExamPlan, rules: RegistrationRules, *, today: dt.date) -> str:
    """A digest of everything ``RegistrationRules.check`` reads besides the rows themselves and the
    names of known candidates (those are compared again by the write): the plan, the institution's
    kind (003 三), 考培分离 (002 第五条(四)) with the declared trainees, the plan's registrations, the
    day (a birth date in the future), the columns' length limits, and the rules' version."""
    separation = pack_of(plan).conduct.training_separation
    kind = rules.kind
    head = [RULES_VERSION, plan.pk, plan.status, plan.pack_id, plan.institution_id, str(plan.registration_opens),
            str(plan.registration_closes), today.isoformat(), [kind.key, kind.scope, kind.source] if kind else None,
            bool(separation.value), rules.separation_source, sorted(LIMITS.items()), len(rules.registered),
            len(rules.trained)]
    digest = hashlib.sha256(json.dumps(head, ensure_ascii=False, default=str).encode())
    digest.update("\n".join(sorted(rules.registered)).encode())
    digest.update(b"\0")
    digest.update("\n".join(sorted(rules.trained)).encode())
    return digest.hexdigest()


def registrations_write(*, actor: Any, plan: ExamPlan, at: dt.datetime, roster_import: RosterImport,
                        staged: StagedRows | None = None, rows: Sequence[CandidateRow] | None = None,
                        skipped: int = 0) -> int:
    """Write every accepted row or none: the caller holds the transaction (one per import commit).

    ``staged``: the rows the check passed, with its fingerprint; ``rows``: rows to be checked
    here (an import checked before the rows were kept). Under the plan's lock, the fingerprint
    is taken again: unchanged, the rows are written as checked (a known candidate's name is
    compared by the write itself); changed, every row is checked again and if any fails (another
    entry, a training roster, the plan), the whole commit is refused and nothing is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registrations_write must run inside the import's transaction")
    plan = lock_plan(plan)
    require_institution_user(actor, plan.institution_id)
    today = local_date(at)
    check_entry_window(plan, today)
    rules = RegistrationRules.for_plan(plan)
    if staged is None or not constant_time_compare(staged.fingerprint, fingerprint(plan, rules, today=today)):
        rows = list(rows if rows is not None else staged.rows() if staged is not None else [])
        known = known_candidates(r.normalised_id() for r in rows)
        rules.known_names.update((number, name) for number, (_, name) in known.items())
        stale = sum(1 for row in rows if check(rules, row, today=today))
        if stale:
            raise DomainError(f"导入前复核发现 {stale} 行有问题（名册或报名情况已变化），"
                              "本次未写入任何数据，请重新上传校验", code="import_stale")
        staged = stage(rows, known=known, fingerprint="")
    count = _write_rows(plan, staged, actor=actor, at=at, roster_import=roster_import)
    if count != staged.count:  # a known candidate vanished or was renamed under us: write nothing
        raise DomainError("导入时考生信息发生变化，本次未写入任何数据，请重新上传校验", code="import_stale")
    # One audit event for the import as a whole, in the same transaction as the rows it
    # describes (README: every state change audited in its transaction). The import is one
    # change of the plan's roster; an event per row would record 100,000 copies of it.
    audit.record(actor=actor, action="exams.roster_imported", obj=plan, at=at,
                 summary=f"导入考生名册 {count} 人（跳过问题行 {skipped} 行）",
                 after={"count": count, "skipped": skipped, "import": str(roster_import.public_id)})
    return count


# --- the write ---------------------------------------------------------------------------


def _write_rows(plan: ExamPlan, staged: StagedRows, *, actor: Any, at: dt.datetime,
                roster_import: RosterImport) -> int:
    """The rows written; fewer than ``staged.count`` when a known candidate's name no longer
    agrees with the row's (the caller then refuses the commit)."""
    if connection.vendor == "postgresql":
        return _write_postgresql(plan, staged, actor=actor, at=at, roster_import=roster_import)
    return _write_orm(plan, staged, actor=actor, at=at, roster_import=roster_import)


def _write_postgresql(plan: ExamPlan, staged: StagedRows, *, actor: Any, at: dt.datetime,
                      roster_import: RosterImport) -> int:
    """COPY the kept text into a temporary table, then insert the new candidates and the
    registrations with one statement each: no Python object per row, no per-row round trip."""
    quote = connection.ops.quote_name
    candidates, registrations = quote(Candidate._meta.db_table), quote(Registration._meta.db_table)
    prep = _prep_value
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} (ord integer NOT NULL, public_id uuid NOT NULL, id_number text NOT NULL, "
            "name text NOT NULL, "
            "gender text, birth_date date, education text NOT NULL, work_unit text NOT NULL, relation text NOT NULL, "
            "phone text NOT NULL) ON COMMIT DROP")
        view = memoryview(staged.text)
        with cursor.cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
            for start in range(0, len(view), _COPY_CHUNK):
                copy.write(view[start:start + _COPY_CHUNK])
        # Statistics for the planner: it then joins 100,000 staged rows to a national candidate
        # table knowing the temporary table's size. Only the join's columns: the same plan for
        # half the cost of every column's statistics.
        cursor.execute(f"ANALYZE {_STAGE} (id_number, name)")
        # No ORDER BY: a candidate's key says nothing (the registrations below keep the file's order).
        insert = (f"INSERT INTO {candidates} (id_number, name, gender, birth_date, created_at) "  # noqa: S608
                  f"SELECT id_number, name, gender, birth_date, %s FROM {_STAGE} WHERE gender IS NOT NULL")
        created_at = [prep(Candidate, "created_at", at)]
        try:
            with transaction.atomic():  # a savepoint
                cursor.execute(insert, created_at)
        except IntegrityError:
            # A person entered by another institution since the check is the same candidate
            # (if the name agrees: the join below). Only then ON CONFLICT, which costs nearly
            # twice as much per row as the plain insert.
            cursor.execute(insert + " ON CONFLICT (id_number) DO NOTHING", created_at)
        columns, values, params = _registration_columns(plan, actor=actor, at=at, roster_import=roster_import)
        # The name join is the check's "same number, other name" rule (registrations.py), taken
        # again on the candidates as they are now: a row it drops makes the caller refuse all.
        try:
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {registrations} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
                    f"FROM {_STAGE} s JOIN {candidates} c ON c.id_number = s.id_number AND c.name = s.name "
                    "ORDER BY s.ord", params)
        except IntegrityError as exc:  # registered meanwhile (registration_once_per_sitting)
            raise DomainError("导入时报名情况发生变化，本次未写入任何数据，请重新上传校验",
                              code="import_stale") from exc
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}")
    return count


def _new_candidate_fields(number: str) -> tuple[str, dt.date]:
    """Gender and birth date as ``idcard.parse_id`` reads them (17th digit odd: 男; digits 7-14), for
    a number the check has passed: parsing checks it again, a third of the cost of a new candidate
    (``test_import_bulk`` compares the two)."""
    return gender_of(number), dt.date.fromisoformat(birth_text_of(number))


def _prep_value(model: type[Any], name: str, value: Any) -> Any:
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _registration_columns(plan: ExamPlan, *, actor: Any, at: dt.datetime,
                          roster_import: RosterImport) -> tuple[list[str], list[str], list[Any]]:
    """The INSERT's columns and the SELECT's expressions, from the model's fields: a field added
    later with a default gets its default (a constant), so this statement keeps up with the model."""
    staged = {"name": "s.name", "education": "s.education", "work_unit": "s.work_unit",
              "relation": "s.relation", "phone": "s.phone", "candidate": "c.id",
              "public_id": "s.public_id"}
    # entered_by stays empty: the import says who uploaded and accepted the rows (models/candidates.py).
    given = {"plan": plan.pk, "entered_at": at, "entered_by": None, "roster_import": roster_import.pk}
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


def _write_orm(plan: ExamPlan, staged: StagedRows, *, actor: Any, at: dt.datetime,
               roster_import: RosterImport) -> int:
    """``bulk_create`` in batches of ``ORM_BATCH``; the model objects of one batch at a time."""
    rows = staged.rows()
    known = known_candidates(r.id_number for r in rows)
    if any(number in known and known[number][1] != name for number, name in ((r.id_number, r.name) for r in rows)):
        return 0  # a known candidate's name no longer agrees (the check's rule): nothing written
    pks = {number: pk for number, (pk, _) in known.items()}
    new = (row for row in rows if row.id_number not in known)
    for batch in _batches(new, ORM_BATCH):
        objs = []
        for row in batch:
            number = row.id_number
            gender, birth = _new_candidate_fields(number)
            objs.append(Candidate(id_number=number, name=row.name, gender=gender, birth_date=birth, created_at=at))
        Candidate.objects.bulk_create(objs)
        if any(c.pk is None for c in objs):  # a backend that does not return keys
            pks.update((n, pk) for n, (pk, _) in known_candidates(c.id_number for c in objs).items())
        else:
            pks.update((c.id_number, c.pk) for c in objs)
    count = 0
    for batch in _batches(rows, ORM_BATCH):
        Registration.objects.bulk_create([
            Registration(plan=plan, candidate_id=pks[row.id_number], name=row.name, education=row.education,
                         work_unit=row.work_unit, relation=row.relation, phone=row.phone, entered_at=at,
                         entered_by=None, roster_import=roster_import)
            for row in batch])
        count += len(batch)
    return count
