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
import json
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

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
# Parsing the workbook is the largest single cost of an import; the commit takes the rows the
# check found good from this copy (JSON, next to the stored upload, deleted once the import is
# committed, discarded or failed) and checks them again, instead of parsing the workbook twice.
# Without it (an import checked before this existed) the commit reads the workbook again.


def _staged_name(imp: RosterImport) -> str:
    return f"imports/roster/{imp.public_id}.json"


def _stage(imp: RosterImport, rows: list[tuple[CandidateRow, bool]], bad: set[int]) -> None:
    name = _staged_name(imp)
    payload = {"sha256": imp.file.sha256, "rows": [
        [r.row, r.name, r.id_number, r.education, r.work_unit, r.relation, r.phone] for r, _ in rows
        if r.row not in bad]}
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(payload, ensure_ascii=False).encode()))


def _staged_rows(imp: RosterImport) -> list[CandidateRow] | None:
    name = _staged_name(imp)
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as fh:
            payload = json.loads(fh.read())
        if payload.get("sha256") != imp.file.sha256:  # not the rows of this upload: read the upload
            return None
        return [CandidateRow(name=name_, id_number=number, education=education, work_unit=work_unit,
                             relation=relation, phone=phone, row=row)
                for row, name_, number, education, work_unit, relation, phone in payload["rows"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # damaged: read the upload
        return None


def _unstage(imp: RosterImport) -> None:
    name = _staged_name(imp)
    if default_storage.exists(name):
        default_storage.delete(name)


def _check_rows(imp: RosterImport, rows: list[tuple[CandidateRow, bool]], *, today: dt.date,
                progress: bool) -> tuple[list[RowError], set[int]]:
    plan = ExamPlan.objects.select_related("institution__authority").get(pk=imp.plan_id)
    rules, _ = bulk.rules_for(plan, [r for r, _ in rows])
    errors: list[RowError] = []
    bad: set[int] = set()
    for index, (row, numeric_id) in enumerate(rows, start=1):
        found = bulk.check(rules, row, today=today)
        if numeric_id:
            found.insert(0, RowError(row.row, COLUMNS["id_number"], NUMERIC_ID))
        if found:
            errors.extend(found)
            bad.add(row.row)
        if progress and index % PROGRESS_EVERY == 0:
            RosterImport.objects.filter(pk=imp.pk).update(processed_rows=index)
    return errors, bad


def roster_import_validate(imp: RosterImport, *, at: dt.datetime) -> RosterImport:
    """Check every row; store every problem (row, column, reason). Writes no registration."""
    updated = RosterImport.objects.filter(pk=imp.pk, status=RosterImport.Status.QUEUED).update(
        status=RosterImport.Status.VALIDATING)
    if updated != 1:
        return RosterImport.objects.get(pk=imp.pk)
    imp.refresh_from_db()
    try:
        rows, _ = _read_rows(imp, progress=True)
        check_entry_window(imp.plan, local_date(at))
        errors, bad = _check_rows(imp, rows, today=local_date(at), progress=True)
    except (RosterFileError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        RosterImport.objects.filter(pk=imp.pk, status=RosterImport.Status.VALIDATING).update(
            status=RosterImport.Status.FAILED, message=message, validated_at=at)
        return RosterImport.objects.get(pk=imp.pk)
    if len(bad) < len(rows):
        try:
            _stage(imp, rows, bad)
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
            rows = _staged_rows(imp)
            if rows is None:
                known_bad = {e["row"] for e in imp.errors}
                with file_open(imp.file) as stream:
                    rows = [row for row, _ in RosterReader(stream).rows() if row.row not in known_bad]
            count = bulk.registrations_write(actor=imp.accepted_by, plan=imp.plan, rows=rows, at=at,
                                             roster_import=imp, skipped=imp.bad_rows)
            imp.status, imp.committed_at, imp.imported_rows = RosterImport.Status.COMMITTED, at, count
            imp.save(update_fields=["status", "committed_at", "imported_rows"])
            transaction.on_commit(lambda: _unstage(imp))
    except (DomainError, RosterFileError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.FAILED, message=message)
        _unstage(imp)
    return RosterImport.objects.get(pk=imp.pk)
