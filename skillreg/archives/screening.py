"""Screening runs: start one from a file or from sheets, execute it (in the background),
recompute it. The statistic itself is in ``similarity``; this module stores and audits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.archives import similarity
from skillreg.archives.models import ScreeningPair, ScreeningRoom, ScreeningRun, ScreeningSheet
from skillreg.archives.services import Forbidden
from skillreg.archives.sheets_io import parse_key, parse_key_as_given, parse_sheets, sheets_from_objects
from skillreg.archives.similarity import Sheet
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution

R = ScreeningRun.Status
MAX_ROOM = 2000  # candidates in one room


def can_screen(user: Any, institution: Institution) -> bool:
    """Screening is the authority's supervision tool (000 三(三)8): officials over the body."""
    if user.role == Role.SYSADMIN:
        return True
    return bool(user.role in OFFICIAL_ROLES and user.authority_id
                and user.authority.covers(institution.region_code))


def _move(run: ScreeningRun, to: str) -> None:
    if to not in ScreeningRun.MOVES[run.status]:
        raise IllegalTransition(f"筛查当前状态为“{run.get_status_display()}”，不能改为“{R(to).label}”。")
    run.status = to


def screening_start(*, actor: Any, institution: Institution, title: str, data: bytes, source_name: str,
                    key_text: str = "", alpha: float = similarity.DEFAULT_ALPHA, at: dt.datetime) -> ScreeningRun:
    """Import a CSV/XLSX of answer sheets (all rows valid or nothing written) and queue the run."""
    if not can_screen(actor, institution):
        raise Forbidden("只有该机构备案部门的人员可以发起答卷雷同筛查。")
    items, sheets = parse_sheets(data)
    key = parse_key(key_text, len(items))
    return screening_start_from_sheets(actor=actor, institution=institution, title=title, sheets=sheets,
                                       item_names=items, key=key, alpha=alpha, source_name=source_name,
                                       source_sha256=hashlib.sha256(data).hexdigest(), at=at)


@transaction.atomic
def screening_start_from_sheets(*, actor: Any, institution: Institution, title: str, sheets: Sequence[Sheet],
                                key: Sequence[Any] | None = None, alpha: float = similarity.DEFAULT_ALPHA,
                                item_names: Sequence[str] | None = None, source_name: str = "",
                                source_sha256: str = "", plan: Any = None, at: dt.datetime) -> ScreeningRun:
    """Store the sheets and the parameters, then queue the computation after commit.

    The exams app calls this with ``sheets_io.sheets_from_objects(...)``.
    """
    if not can_screen(actor, institution):
        raise Forbidden("只有该机构备案部门的人员可以发起答卷雷同筛查。")
    if not title.strip():
        raise InvalidInput("请填写考试场次名称。", field="title")
    if not 0 < alpha < 0.05:
        raise InvalidInput("显著性水平 α 应大于 0 且小于 0.05。", field="alpha")
    if len(sheets) < 2:
        raise InvalidInput("至少需要两名考生的答卷才能比对。", field="file")
    n_items = len(sheets[0].answers)
    if any(len(s.answers) != n_items for s in sheets):
        raise InvalidInput("各考生答卷的题数不一致。", field="file")
    if len({s.examinee for s in sheets}) != len(sheets):
        raise InvalidInput("考生编号有重复。", field="file")
    sizes = Counter(s.room for s in sheets)
    room, largest = sizes.most_common(1)[0]
    if largest > MAX_ROOM:
        # Every two candidates of a room are compared: a room of 2,000 is 2 M pairs. A larger
        # "room" is a missing or wrong room column, not an exam room.
        raise InvalidInput(f"考场“{room}”有 {largest} 名考生，超过 {MAX_ROOM} 人，请核对考场编号。", field="file")
    rule = get_pack(institution.pack_id).similarity
    run = ScreeningRun.objects.create(
        institution=institution, title=title.strip()[:200], pack_id=institution.pack_id,
        rule_fraction=rule.fraction or "", rule_inclusive=rule.inclusive, rule_source=rule.source or "",
        rule_note=(rule.note or "")[:200], method=similarity.METHOD, method_version=similarity.METHOD_VERSION,
        alpha=alpha, correction=similarity.CORRECTION, key_derivation="given" if key else "modal",
        given_key=list(key) if key else None, source_name=source_name[:255], source_sha256=source_sha256,
        plan=plan,
        item_names=list(item_names or [f"第{k}题" for k in range(1, n_items + 1)]),
        sheet_count=len(sheets), item_count=n_items, room_count=len({s.room for s in sheets}),
        created_by=actor, created_at=at,
    )
    ScreeningSheet.objects.bulk_create(
        [ScreeningSheet(run=run, examinee=s.examinee, room=s.room, answers=list(s.answers)) for s in sheets],
        batch_size=2000,
    )
    audit.record(actor=actor, action="archives.screening_start", obj=run, at=at,
                 summary=f"发起答卷雷同筛查“{run.title}”：{run.sheet_count} 份答卷、{run.room_count} 个考场",
                 after={"alpha": alpha, "method": run.method, "key": run.key_derivation,
                        "sha256": source_sha256, "sheets": run.sheet_count})
    _enqueue_after_commit(run)
    return run


def sitting_sheets(plan: Any) -> list[Sheet]:
    """The objective answer sheets the exams app holds for one sitting (exams.AnswerSheet)."""
    from skillreg.exams.models import AnswerSheet

    rows = (AnswerSheet.objects.filter(registration__plan=plan).select_related("registration")
            .order_by("registration_id"))
    # The examinee as the centre will look them up: registration number and the name entered.
    return sheets_from_objects(rows, label=lambda s: f"{s.registration_id}·{s.registration.name}"[:64])


def screening_start_from_sitting(*, actor: Any, plan: Any, title: str = "", key_text: str = "",
                                 alpha: float = similarity.DEFAULT_ALPHA, at: dt.datetime) -> ScreeningRun:
    """Screen a sitting straight from the answer sheets the exams app stored (no file upload).

    000 三(三)8 speaks of what is found “在阅卷过程中”: the centre starts it once the sheets are in.
    """
    institution = plan.institution
    if not can_screen(actor, institution):
        raise Forbidden("只有该机构备案部门的人员可以发起答卷雷同筛查。")
    sheets = sitting_sheets(plan)
    if len(sheets) < 2:
        raise InvalidInput("该考试场次录入的客观题答卷不足两份，无法比对。", field="plan")
    key = parse_key_as_given(key_text, len(sheets[0].answers))
    # A fingerprint of exactly what was screened, as a file's SHA-256 is for an upload.
    digest = hashlib.sha256(json.dumps([[s.examinee, s.room, list(s.answers)] for s in sheets],
                                       ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    return screening_start_from_sheets(
        actor=actor, institution=institution, title=title.strip() or f"{plan.title}（客观题答卷）", sheets=sheets,
        key=key, alpha=alpha, source_name=f"考务系统答卷：{plan.title}"[:255], source_sha256=digest, plan=plan,
        at=at)


def violation_item_for(run: ScreeningRun) -> tuple[str, str, str]:
    """(catalogue key, item key, clause) of the pack's violation that the room rule belongs to."""
    for cat in get_pack(run.pack_id).violations:
        for item in cat.items:
            if item.source == run.rule_source and item.key:
                return cat.key, item.key, item.source
    raise DomainError(f"政策包 {run.pack_id} 的违规情形中没有 {run.rule_source or '该条款'}，不能据此立违规记录。",
                      code="no_violation_item")


def screening_room_open_violation(*, actor: Any, room: ScreeningRoom, at: dt.datetime,
                                  note: str = "") -> Any:
    """Open a violation record for the institution on a room that reaches 000 三(三)8.

    The record goes through the supervision app's own service (``violation_record``), which
    checks the official's jurisdiction and audits it; the room keeps a link so it is opened once.
    """
    from skillreg.supervision.models.violations import FoundVia
    from skillreg.supervision.services.violations import violation_record

    with transaction.atomic():
        room = ScreeningRoom.objects.select_for_update().select_related("run", "run__institution").get(pk=room.pk)
        run = room.run
        if not can_screen(actor, run.institution):
            raise Forbidden("只有该机构备案部门的人员可以据筛查结果立违规记录。")
        if run.status != R.DONE:
            raise IllegalTransition("筛查尚未完成，不能立违规记录。")
        if room.violation_id is not None:
            raise IllegalTransition("该考场已立违规记录，不能重复立案。")
        if not room.reaches_rule:
            raise DomainError(
                f"考场 {room.room} 未达到“同一考场{_fraction_words(run)}考生答卷异常雷同”的比例，不能据此立违规记录。",
                code="rule_not_reached", source=run.rule_source or None)
        cat_key, item_key, source = violation_item_for(run)
        facts = (
            f"答卷雷同筛查“{run.title}”（{run.public_id}）：考场 {room.room} 共 {room.candidates} 名考生，"
            f"{room.flagged_pairs} 对答卷异常雷同，涉及 {room.flagged_candidates} 名考生，"
            f"占 {room.share * 100:.1f}%，达到 {source}“同一考场{_fraction_words(run)}考生答卷异常雷同”的情形。"
            f"判定方法：{similarity.METHOD_NAME}，α = {run.alpha}，"
            f"每对阈值 p ≤ {similarity.format_p(room.pair_alpha or 0)}。"
            "筛查结果须结合座位安排、原始答卷、监控录像核实。"
        )
        if note.strip():
            facts += f"\n经办说明：{note.strip()}"
        record = violation_record(actor=actor, institution=run.institution, catalogue_key=cat_key,
                                  item_key=item_key, facts=facts, found_via=FoundVia.OTHER, at=at)
        room.violation = record
        room.save(update_fields=["violation"])
        audit.record(actor=actor, action="archives.screening_violation", obj=run, at=at,
                     summary=f"据答卷雷同筛查“{run.title}”考场 {room.room} 立违规记录（{source}）",
                     after={"room": room.room, "violation": str(record.public_id), "source": source})
    return record


def _fraction_words(run: ScreeningRun) -> str:
    from skillreg.archives.report import fraction_text

    return fraction_text(run)


def _enqueue_after_commit(run: ScreeningRun) -> None:
    from skillreg.archives.tasks import screening_run_task

    run_id = run.pk
    transaction.on_commit(lambda: screening_run_task.enqueue(run_id))


@transaction.atomic
def screening_retry(*, actor: Any, run: ScreeningRun, at: dt.datetime) -> ScreeningRun:
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    if not can_screen(actor, run.institution):
        raise Forbidden("您无权重新计算该筛查。")
    _move(run, R.QUEUED)
    run.progress, run.error = 0, ""
    run.save(update_fields=["status", "progress", "error"])
    audit.record(actor=actor, action="archives.screening_retry", obj=run, at=at, summary=f"重新排队“{run.title}”")
    _enqueue_after_commit(run)
    return run


def stored_sheets(run: ScreeningRun) -> list[Sheet]:
    rows = run.sheets.order_by("id").values_list("examinee", "room", "answers")
    return [Sheet(examinee=examinee, room=room, answers=tuple(answers)) for examinee, room, answers in rows]


def recompute(run: ScreeningRun) -> similarity.Screening:
    """The run's screening computed again from its stored sheets and parameters."""
    return similarity.screen(stored_sheets(run), alpha=run.alpha, key=run.given_key)


def recompute_matches(run: ScreeningRun) -> bool:
    """Whether a recomputation gives the stored flagged pairs (same pairs, same counts)."""
    fresh = recompute(run)
    again = sorted((r.room, p.a, p.b, p.identical_incorrect) for r in fresh.rooms for p in r.flagged)
    stored = sorted(run.pairs.values_list("room__room", "examinee_a", "examinee_b", "identical_incorrect"))
    return again == [tuple(row) for row in stored]


def screening_execute(*, run_id: int) -> ScreeningRun:
    """Compute a queued run. Called by the background task; callable directly too.

    The move to RUNNING is a conditional update, so two workers cannot both compute a run.
    Progress is written as rooms complete (outside the result's transaction, so a page can
    show it); the results, the status and the audit event are written in one transaction.
    """
    started = clock.now()
    if ScreeningRun.objects.filter(pk=run_id, status=R.QUEUED).update(
            status=R.RUNNING, started_at=started, progress=0) != 1:
        return ScreeningRun.objects.get(pk=run_id)
    run = ScreeningRun.objects.select_related("institution").get(pk=run_id)
    tick = time.perf_counter()
    last = [0]

    def progress(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if percent >= last[0] + 5:
            last[0] = percent
            ScreeningRun.objects.filter(pk=run_id).update(progress=percent)

    try:
        result = similarity.screen(stored_sheets(run), alpha=run.alpha, key=run.given_key, progress=progress)
    except (ValueError, MemoryError) as exc:
        with transaction.atomic():
            run = ScreeningRun.objects.select_for_update().get(pk=run_id)
            _move(run, R.FAILED)
            run.error = f"计算失败：{exc}"
            run.save(update_fields=["status", "error"])
            audit.record(actor=None, action="archives.screening_fail", obj=run, at=clock.now(), summary=run.error)
        return run
    elapsed = time.perf_counter() - tick
    _save_result(run_id, result, elapsed)
    return ScreeningRun.objects.get(pk=run_id)


@transaction.atomic
def _save_result(run_id: int, result: similarity.Screening, elapsed: float) -> None:
    run = ScreeningRun.objects.select_for_update().get(pk=run_id)
    fraction = get_pack(run.pack_id).similarity.as_fraction() if run.rule_fraction else None
    rows = ScreeningRoom.objects.bulk_create([
        ScreeningRoom(run=run, room=room.room, candidates=len(room.candidates), pairs=room.pairs,
                      pair_alpha=room.pair_alpha, flagged_pairs=len(room.flagged),
                      flagged_candidates=len(room.flagged_candidates), share=room.share,
                      reaches_rule=room.reaches(fraction, inclusive=run.rule_inclusive), min_p=room.min_p)
        for room in result.rooms
    ], batch_size=1000)
    ScreeningPair.objects.bulk_create([
        ScreeningPair(run=run, room=row, examinee_a=p.a, examinee_b=p.b, identical_incorrect=p.identical_incorrect,
                      expected=p.expected, z=p.z, p_value=p.p_value, shared_items=[[k, o] for k, o in p.shared_items])
        for room, row in zip(result.rooms, rows, strict=True) for p in room.flagged
    ], batch_size=1000)
    flagged_rooms = sum(bool(row.reaches_rule) for row in rows)
    flagged_pairs = sum(len(room.flagged) for room in result.rooms)
    _move(run, R.DONE)
    run.progress = 100
    run.answer_key = result.key
    run.parameters = result.parameters()
    run.pair_count = result.total_pairs
    run.flagged_pair_count = flagged_pairs
    run.flagged_room_count = flagged_rooms
    run.histogram = result.histogram
    run.finished_at = clock.now()
    run.runtime_seconds = round(elapsed, 3)
    run.save()
    audit.record(actor=None, action="archives.screening_done", obj=run, at=run.finished_at,
                 summary=f"答卷雷同筛查“{run.title}”完成：{flagged_pairs} 对异常雷同，"
                         f"{flagged_rooms} 个考场达到判定比例",
                 after={"pairs": result.total_pairs, "flagged_pairs": flagged_pairs, "flagged_rooms": flagged_rooms})
