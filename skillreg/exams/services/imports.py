"""Roster import: check every row, report every bad one, write nothing until the user accepts.

Small files are checked on the request; large ones in the background (``tasks``), with the
progress on the ``RosterImport`` row. The commit is one transaction: an interruption leaves
no registration of the import behind.

Fast enough for a province (issue 8, figure 3): the file is read with python-calamine
(``xlsx.RosterReader``), what the rules need is loaded in a constant number of queries and the
accepted rows are written in bulk (``services/bulk.py``; COPY on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition
from skillreg.exams.models import ExamPlan, RosterImport
from skillreg.exams.services import bulk
from skillreg.exams.services.common import local_date, require_institution_user
from skillreg.exams.services.registrations import COLUMNS, CandidateRow, RowError, check_entry_window
from skillreg.exams.xlsx import RosterFileError, RosterReader
from skillreg.files.services import file_open, file_store
from skillreg.files.sniff import FileKind

# Files up to this size are checked and committed during the request; larger ones by a task.
SYNC_MAX_BYTES = 64 * 1024
PROGRESS_EVERY = 5000  # rows between two progress updates (one UPDATE each)
NUMERIC_ID = "身份证号码单元格为数字格式，末位可能已丢失，请设为文本格式后重新填写"


def _in_background(imp: RosterImport) -> bool:
    return imp.file.size > SYNC_MAX_BYTES


@transaction.atomic
def _create(*, actor: Any, plan: ExamPlan, upload: Any, at: dt.datetime) -> RosterImport:
    require_institution_user(actor, plan.institution_id)
    check_entry_window(plan, local_date(at))
    stored = file_store(actor=actor, upload=upload, allowed_kinds=[FileKind.XLSX], at=at)
    imp = RosterImport.objects.create(plan=plan, file=stored, created_at=at, created_by=actor)
    audit.record(actor=actor, action="exams.roster_import_uploaded", obj=imp, at=at,
                 summary=f"上传考生名册 {stored.original_name}", after={"plan": str(plan.public_id)})
    return imp


def roster_import_start(*, actor: Any, plan: ExamPlan, upload: Any, at: dt.datetime) -> RosterImport:
    imp = _create(actor=actor, plan=plan, upload=upload, at=at)
    if _in_background(imp):
        from skillreg.exams.tasks import validate_roster_import_task

        transaction.on_commit(lambda: validate_roster_import_task.enqueue(imp.pk))
    else:
        roster_import_validate(imp, at=at)
        imp.refresh_from_db()
    return imp


def _read_rows(imp: RosterImport, *, progress: bool) -> tuple[list[tuple[CandidateRow, bool]], str]:
    with file_open(imp.file) as stream:
        rows = list(RosterReader(stream).rows())
    if progress:
        RosterImport.objects.filter(pk=imp.pk).update(total_rows=len(rows))
    return rows, ""


# --- the checked rows, kept for the commit ------------------------------------------------
# Parsing the workbook and checking every row are the largest costs of an import; the check
# keeps the rows it found good as the text the commit's COPY reads (``bulk.stage``), next to the
# stored upload, with the fingerprint of what the check read, signed with the server's key so
# that the commit writes exactly the rows the check passed. The copy is deleted once the import
# is committed, discarded or failed. Without a valid copy (an import checked before this existed,
# a damaged or foreign file) the commit reads the workbook again and checks every row.

_STAGE_MAGIC = b"skillreg-roster-rows/2\n"
_STAGE_SALT = "skillreg.exams.roster_import.rows"


def _staged_name(imp: RosterImport) -> str:
    return f"imports/roster/{imp.public_id}.rows"


def _legacy_staged_name(imp: RosterImport) -> str:
    return f"imports/roster/{imp.public_id}.json"  # the JSON copy kept before the COPY text


def _signature(imp: RosterImport, head: bytes, text: bytes) -> str:
    mac = salted_hmac(_STAGE_SALT, b"%s\n%s\n%s" % (str(imp.public_id).encode(), head, text), algorithm="sha256")
    return mac.hexdigest()


def _stage(imp: RosterImport, staged: bulk.StagedRows) -> None:
    name = _staged_name(imp)
    head = json.dumps({"sha256": imp.file.sha256, "rows": staged.count, "fingerprint": staged.fingerprint}).encode()
    content = b"%s%s\n%s\n%s" % (_STAGE_MAGIC, head, _signature(imp, head, staged.text).encode(), staged.text)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def _staged_rows(imp: RosterImport) -> bulk.StagedRows | None:
    name = _staged_name(imp)
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
        if not content.startswith(_STAGE_MAGIC):
            return None
        head, signature, text = content[len(_STAGE_MAGIC):].split(b"\n", 2)
        if not constant_time_compare(signature.decode(), _signature(imp, head, text)):
            return None  # not written by this server for this import: read the upload
        meta = json.loads(head)
        if meta["sha256"] != imp.file.sha256 or text.count(b"\n") != meta["rows"]:
            return None
        return bulk.StagedRows(text=text, count=meta["rows"], fingerprint=str(meta["fingerprint"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # damaged: read the upload
        return None


def _unstage(imp: RosterImport) -> None:
    for name in (_staged_name(imp), _legacy_staged_name(imp)):
        if default_storage.exists(name):
            default_storage.delete(name)


def _check_rows(imp: RosterImport, rows: list[tuple[CandidateRow, bool]], *, today: dt.date,
                progress: bool) -> tuple[list[RowError], set[int], bulk.StagedRows]:
    plan = ExamPlan.objects.select_related("institution__authority").get(pk=imp.plan_id)
    rules, known = bulk.rules_for(plan, [r for r, _ in rows])
    # Taken from the very sets the rows are checked against (before ``check`` adds to them).
    fingerprint = bulk.fingerprint(plan, rules, today=today)
    errors: list[RowError] = []
    bad: set[int] = set()
    check = bulk.check
    for index, (row, numeric_id) in enumerate(rows, start=1):
        found = check(rules, row, today=today)
        if numeric_id:
            found.insert(0, RowError(row.row, COLUMNS["id_number"], NUMERIC_ID))
        if found:
            errors.extend(found)
            bad.add(row.row)
        if progress and index % PROGRESS_EVERY == 0:
            RosterImport.objects.filter(pk=imp.pk).update(processed_rows=index)
    staged = bulk.stage((r for r, _ in rows if r.row not in bad), known=known, fingerprint=fingerprint)
    return errors, bad, staged


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a roster is read and checked: 100,000 rows are
    about a million objects, none in a reference cycle, and the collector would walk all of them
    again and again while they are made (a sixth of the reading time). Back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def roster_import_validate(imp: RosterImport, *, at: dt.datetime) -> RosterImport:
    """Check every row; store every problem (row, column, reason). Writes no registration."""
    updated = RosterImport.objects.filter(pk=imp.pk, status=RosterImport.Status.QUEUED).update(
        status=RosterImport.Status.VALIDATING)
    if updated != 1:
        return RosterImport.objects.get(pk=imp.pk)
    imp.refresh_from_db()
    try:
        with _collector_paused():
            rows, _ = _read_rows(imp, progress=True)
            check_entry_window(imp.plan, local_date(at))
            errors, bad, staged = _check_rows(imp, rows, today=local_date(at), progress=True)
    except (RosterFileError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        RosterImport.objects.filter(pk=imp.pk, status=RosterImport.Status.VALIDATING).update(
            status=RosterImport.Status.FAILED, message=message, validated_at=at)
        return RosterImport.objects.get(pk=imp.pk)
    if len(bad) < len(rows):
        try:
            _stage(imp, staged)
        except OSError:  # storage full or read-only: the commit then reads the workbook again
            with contextlib.suppress(OSError):
                _unstage(imp)
    # Only if the import is still being checked: the user may have discarded it meanwhile.
    done = RosterImport.objects.filter(pk=imp.pk, status=RosterImport.Status.VALIDATING).update(
        status=RosterImport.Status.VALIDATED, total_rows=len(rows), processed_rows=len(rows),
        good_rows=len(rows) - len(bad), bad_rows=len(bad), errors=[e.as_dict() for e in errors],
        validated_at=at, message="" if rows else "文件中没有考生数据")
    if not done:
        with contextlib.suppress(OSError):
            _unstage(imp)
    return RosterImport.objects.get(pk=imp.pk)


@transaction.atomic
def _mark_accepted(*, actor: Any, imp: RosterImport, at: dt.datetime) -> RosterImport:
    imp = RosterImport.objects.select_for_update().select_related("plan", "file").get(pk=imp.pk)
    require_institution_user(actor, imp.plan.institution_id)
    if imp.status == RosterImport.Status.COMMITTING:
        # An interrupted commit wrote nothing (one transaction); accepting again resumes it.
        return imp
    if imp.status != RosterImport.Status.VALIDATED:
        raise IllegalTransition(f"该名册当前为“{imp.get_status_display()}”，不能确认导入")
    if imp.good_rows == 0:
        raise DomainError("没有可导入的合格行", code="nothing_to_import")
    imp.status, imp.accepted_at, imp.accepted_by = RosterImport.Status.COMMITTING, at, actor
    imp.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit.record(actor=actor, action="exams.roster_import_accepted", obj=imp, at=at,
                 summary=f"确认导入合格行 {imp.good_rows} 行（跳过问题行 {imp.bad_rows} 行）")
    return imp


def roster_import_accept(*, actor: Any, imp: RosterImport, at: dt.datetime) -> RosterImport:
    """The user accepts the good rows explicitly; only now are they written (all or none)."""
    imp = _mark_accepted(actor=actor, imp=imp, at=at)
    if _in_background(imp):
        from skillreg.exams.tasks import commit_roster_import_task

        commit_roster_import_task.enqueue(imp.pk)
        return imp
    return roster_import_commit(imp, at=at)


def roster_import_discard(*, actor: Any, imp: RosterImport, at: dt.datetime) -> RosterImport:
    with transaction.atomic():
        imp = RosterImport.objects.select_for_update().select_related("plan").get(pk=imp.pk)
        require_institution_user(actor, imp.plan.institution_id)
        # Queued or being checked too: a worker killed mid-check leaves the import there, and
        # the user must be able to clear it and upload again (nothing was written yet).
        if imp.status not in (RosterImport.Status.QUEUED, RosterImport.Status.VALIDATING,
                              RosterImport.Status.VALIDATED, RosterImport.Status.FAILED):
            raise IllegalTransition(f"该名册当前为“{imp.get_status_display()}”，不能放弃")
        imp.status = RosterImport.Status.DISCARDED
        imp.save(update_fields=["status"])
        audit.record(actor=actor, action="exams.roster_import_discarded", obj=imp, at=at, summary="放弃导入")
        transaction.on_commit(lambda: _unstage(imp))
    return imp


def roster_import_commit(imp: RosterImport, *, at: dt.datetime) -> RosterImport:
    """Write the accepted rows in one transaction; on any problem write none and say why."""
    try:
        with transaction.atomic():
            # Lock only the import row: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
            imp = (RosterImport.objects.select_for_update(of=("self",))
                   .select_related("plan", "file", "accepted_by").get(pk=imp.pk))
            if imp.status != RosterImport.Status.COMMITTING:
                return imp
            staged, rows = _staged_rows(imp), None
            with _collector_paused():
                if staged is None:
                    known_bad = {e["row"] for e in imp.errors}
                    with file_open(imp.file) as stream:
                        rows = [row for row, _ in RosterReader(stream).rows() if row.row not in known_bad]
                count = bulk.registrations_write(actor=imp.accepted_by, plan=imp.plan, staged=staged, rows=rows,
                                                 at=at, roster_import=imp, skipped=imp.bad_rows)
            imp.status, imp.committed_at, imp.imported_rows = RosterImport.Status.COMMITTED, at, count
            imp.save(update_fields=["status", "committed_at", "imported_rows"])
            transaction.on_commit(lambda: _unstage(imp))
    except (DomainError, RosterFileError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.FAILED, message=message)
        _unstage(imp)
    return RosterImport.objects.get(pk=imp.pk)
