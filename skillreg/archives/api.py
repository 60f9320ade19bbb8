"""/api/v1/archives: similarity screening runs, archive records, the destruction ledger.

The same services as the pages; reads go through the scoped selectors (404 outside the
user's jurisdiction).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from skillreg.archives import exports, report, screening, selectors, services, similarity
from skillreg.archives.models import ArchiveRecord, DestructionLedgerEntry, ScreeningRun
from skillreg.archives.retention import SILENT
from skillreg.archives.sheets_io import SheetImportError, read_upload
from skillreg.core import clock

router = Router(tags=["档案"])


class ImportErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, Any]]


class PairOut(Schema):
    examinee_a: str
    examinee_b: str
    identical_incorrect: int
    expected: float
    z: float
    p_value: float
    shared_items: list[list[Any]]
    reading: str


class RoomOut(Schema):
    room: str
    candidates: int
    pairs: int
    pair_alpha: float | None
    flagged_pairs: int
    flagged_candidates: int
    share: float
    reaches_rule: bool | None
    min_p: float | None
    reading: str
    violation: uuid.UUID | None = None
    flagged: list[PairOut]


class RunOut(Schema):
    id: uuid.UUID
    title: str
    institution: str
    status: str
    status_label: str
    progress: int
    method: str
    method_name: str
    alpha: float
    correction: str
    key_derivation: str
    key_note: str
    answer_key: list[Any] | None
    parameters: dict[str, Any]
    rule: str
    rule_source: str
    sheet_count: int
    item_count: int
    room_count: int
    pair_count: int
    flagged_pair_count: int
    flagged_room_count: int
    runtime_seconds: float | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str
    histogram: list[int]
    histogram_edges: list[float]
    plan: uuid.UUID | None = None
    source_name: str = ""


class RunDetailOut(RunOut):
    rooms: list[RoomOut]


def _run_out(run: ScreeningRun) -> dict[str, Any]:
    return {
        "id": run.public_id, "title": run.title, "institution": run.institution.name, "status": run.status,
        "status_label": run.get_status_display(), "progress": run.progress, "method": run.method,
        "method_name": similarity.METHOD_NAME, "alpha": run.alpha, "correction": run.correction,
        "key_derivation": run.key_derivation,
        "key_note": report.KEY_MODAL if run.key_derivation == "modal" else report.KEY_GIVEN,
        "answer_key": run.answer_key, "parameters": run.parameters, "rule": report.fraction_text(run),
        "rule_source": run.rule_source, "sheet_count": run.sheet_count, "item_count": run.item_count,
        "room_count": run.room_count, "pair_count": run.pair_count, "flagged_pair_count": run.flagged_pair_count,
        "flagged_room_count": run.flagged_room_count, "runtime_seconds": run.runtime_seconds,
        "created_at": run.created_at, "finished_at": run.finished_at, "error": run.error,
        "histogram": run.histogram, "histogram_edges": similarity.hist_edges(),
        "plan": run.plan.public_id if run.plan_id else None, "source_name": run.source_name,
    }


@router.get("/screenings", response=list[RunOut])
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_run_out(run) for run in selectors.runs_for(request.user)[:200]]


@router.post("/screenings", response={201: RunOut, 422: ImportErrorOut})
def start_run(request: HttpRequest, institution: Form[uuid.UUID], title: Form[str], file: File[UploadedFile],
              alpha: Form[float] = similarity.DEFAULT_ALPHA, key: Form[str] = "") -> Any:
    """上传一场考试的客观题答卷（CSV 或 .xlsx：考生编号、考场编号、各题选项），发起答卷雷同筛查（后台计算）。
    文件有任何错误行则不导入，并逐行列出错误。"""
    inst = selectors.institution_for(request.user, institution, screening=True)
    try:
        data, name = read_upload(file)
        run = screening.screening_start(actor=request.user, institution=inst, title=title, data=data,
                                        source_name=name, key_text=key, alpha=alpha, at=clock.now())
    except SheetImportError as exc:
        return Status(422, {"code": exc.code, "message": exc.message, "field": exc.field,
                            "errors": [{"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
                                       for e in exc.errors]})
    return Status(201, _run_out(run))


class SittingRunIn(Schema):
    plan: uuid.UUID
    title: str = ""
    key: str = ""
    alpha: float = similarity.DEFAULT_ALPHA


@router.post("/screenings/from-sitting", response={201: RunOut})
def start_run_from_sitting(request: HttpRequest, payload: SittingRunIn) -> Any:
    """以考务系统已录入的某考试场次（考核计划）客观题答卷发起答卷雷同筛查（后台计算，000 三(三)8）。"""
    plan = selectors.sitting_for(request.user, payload.plan)
    run = screening.screening_start_from_sitting(actor=request.user, plan=plan, title=payload.title,
                                                 key_text=payload.key, alpha=payload.alpha, at=clock.now())
    return Status(201, _run_out(run))


class ViolationIn(Schema):
    room: str
    note: str = ""


class ViolationOut(Schema):
    id: uuid.UUID
    institution: str
    source: str
    item_text: str
    status: str
    facts: str


@router.post("/screenings/{uuid:public_id}/violation", response={201: ViolationOut})
def open_violation(request: HttpRequest, public_id: uuid.UUID, payload: ViolationIn) -> Any:
    """就达到 000 三(三)8 比例的考场，对考核机构立违规记录（调用督导模块的违规记录服务）。"""
    run = selectors.run_for(request.user, public_id)
    room = selectors.room_for(request.user, run, payload.room)
    record = screening.screening_room_open_violation(actor=request.user, room=room, at=clock.now(),
                                                     note=payload.note[:500])
    return Status(201, {"id": record.public_id, "institution": run.institution.name, "source": record.source,
                        "item_text": record.item_text, "status": record.status, "facts": record.facts})


@router.get("/screenings/{uuid:public_id}", response=RunDetailOut)
def get_run(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    run = selectors.run_for(request.user, public_id)
    rooms = []
    for room in run.rooms.select_related("violation").prefetch_related("flagged").order_by(
            "-share", "-flagged_pairs", "room"):
        rooms.append({
            "room": room.room, "candidates": room.candidates, "pairs": room.pairs, "pair_alpha": room.pair_alpha,
            "flagged_pairs": room.flagged_pairs, "flagged_candidates": room.flagged_candidates,
            "share": room.share, "reaches_rule": room.reaches_rule, "min_p": room.min_p,
            "reading": report.room_reading(run, room),
            "violation": room.violation.public_id if room.violation_id else None,
            "flagged": [{"examinee_a": p.examinee_a, "examinee_b": p.examinee_b,
                         "identical_incorrect": p.identical_incorrect, "expected": p.expected, "z": p.z,
                         "p_value": p.p_value, "shared_items": p.shared_items, "reading": report.pair_reading(p)}
                        for p in room.flagged.all()],
        })
    return {**_run_out(run), "rooms": rooms}


@router.get("/screenings/{uuid:public_id}/xlsx")
def export_run(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return exports.export_run(selectors.run_for(request.user, public_id))


# --- archive records -------------------------------------------------------------------


class RecordIn(Schema):
    institution: uuid.UUID
    kind: str
    category: str
    title: str
    made_on: dt.date
    sitting: str = ""


class RecordOut(Schema):
    id: uuid.UUID
    institution: str
    kind: str
    category: str
    title: str
    sitting: str
    made_on: dt.date
    retention: str
    retention_years: int | None
    retention_at_least: bool
    retention_source: str
    retain_until: dt.date | None
    status: str
    status_label: str
    hold_reason: str
    due: bool


def _record_out(record: ArchiveRecord) -> dict[str, Any]:
    today = clock.today()
    return {
        "id": record.public_id, "institution": record.institution.name, "kind": record.kind,
        "category": record.category, "title": record.title, "sitting": record.sitting, "made_on": record.made_on,
        "retention": (f"{'不少于' if record.retention_at_least else ''}{record.retention_years} 年"
                      if record.retention_years else SILENT),
        "retention_years": record.retention_years, "retention_at_least": record.retention_at_least,
        "retention_source": record.retention_source, "retain_until": record.retain_until,
        "status": record.status, "status_label": record.get_status_display(), "hold_reason": record.hold_reason,
        "due": bool(record.retain_until and record.retain_until < today
                    and record.status != ArchiveRecord.Status.DESTROYED),
    }


@router.get("/records", response=list[RecordOut])
def list_records(request: HttpRequest, due: bool = False, q: str = "") -> list[dict[str, Any]]:
    qs = selectors.search(selectors.records_for(request.user), q)
    if due:
        qs = selectors.due_records(qs, clock.today())
    return [_record_out(r) for r in qs[:500]]


@router.post("/records", response={201: RecordOut})
def create_record(request: HttpRequest, payload: RecordIn) -> Any:
    inst = selectors.institution_for(request.user, payload.institution)
    record = services.archive_record_create(actor=request.user, institution=inst, kind=payload.kind,
                                            category=payload.category, title=payload.title,
                                            made_on=payload.made_on, sitting=payload.sitting, at=clock.now())
    return Status(201, _record_out(record))


class SittingRecordsIn(Schema):
    plan: uuid.UUID


@router.post("/records/from-sitting", response={201: list[RecordOut]})
def create_sitting_records(request: HttpRequest, payload: SittingRecordsIn) -> Any:
    """把一个考试场次（考核计划）的试卷、评分表、考件、考场安排、督导记录、作答数据、录像索引登记为档案，保存期按政策包。"""
    plan = selectors.record_sitting_for(request.user, payload.plan)
    if not services.can_keep(request.user, plan.institution):
        raise services.Forbidden("您无权为该机构登记档案。")
    created = services.archive_records_from_sitting(actor=request.user, plan=plan, at=clock.now())
    return Status(201, [_record_out(r) for r in created])


@router.get("/records/{uuid:public_id}", response=RecordOut)
def get_record(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _record_out(selectors.record_for(request.user, public_id))


class HoldIn(Schema):
    reason: str


@router.post("/records/{uuid:public_id}/hold", response=RecordOut)
def hold_record(request: HttpRequest, public_id: uuid.UUID, payload: HoldIn) -> dict[str, Any]:
    record = services.archive_hold(actor=request.user, record=selectors.record_for(request.user, public_id),
                                   reason=payload.reason, at=clock.now())
    return _record_out(record)


@router.post("/records/{uuid:public_id}/release", response=RecordOut)
def release_record(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    record = services.archive_release(actor=request.user, record=selectors.record_for(request.user, public_id),
                                      at=clock.now())
    return _record_out(record)


@router.post("/records/{uuid:public_id}/approve", response=RecordOut)
def approve_destruction(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    record = services.archive_destruction_approve(
        actor=request.user, record=selectors.record_for(request.user, public_id), at=clock.now())
    return _record_out(record)


class DestroyIn(Schema):
    method: str
    witness: str
    method_detail: str = ""


class LedgerOut(Schema):
    id: int
    record: uuid.UUID
    institution: str
    title: str
    kind: str
    made_on: dt.date
    retain_until: dt.date
    retention_source: str
    destroyed_on: dt.date
    destroyed_at: dt.datetime
    destroyed_by: str
    method: str
    method_label: str
    method_detail: str
    witness: str
    approved_by: str
    approved_at: dt.datetime


def _ledger_out(entry: DestructionLedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "record": entry.record.public_id, "institution": entry.institution.name,
        "title": entry.title, "kind": entry.kind, "made_on": entry.made_on, "retain_until": entry.retain_until,
        "retention_source": entry.retention_source, "destroyed_on": entry.destroyed_on,
        "destroyed_at": entry.destroyed_at, "destroyed_by": str(entry.destroyed_by), "method": entry.method,
        "method_label": entry.get_method_display(), "method_detail": entry.method_detail,
        "witness": entry.witness, "approved_by": str(entry.approved_by), "approved_at": entry.approved_at,
    }


@router.post("/records/{uuid:public_id}/destroy", response={201: LedgerOut})
def destroy_record(request: HttpRequest, public_id: uuid.UUID, payload: DestroyIn) -> Any:
    entry = services.archive_destroy(actor=request.user, record=selectors.record_for(request.user, public_id),
                                     method=payload.method, witness=payload.witness,
                                     method_detail=payload.method_detail, at=clock.now())
    return Status(201, _ledger_out(entry))


@router.get("/ledger", response=list[LedgerOut])
def list_ledger(request: HttpRequest) -> list[dict[str, Any]]:
    return [_ledger_out(e) for e in selectors.ledger_for(request.user).select_related("record")[:1000]]
