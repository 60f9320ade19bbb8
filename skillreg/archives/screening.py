"""Screening runs: start one from a file or from sheets, execute it (in the background),
recompute it. The statistic itself is in ``similarity``; this module stores and audits."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.archives import similarity
from skillreg.archives.models import ScreeningPair, ScreeningRoom, ScreeningRun, ScreeningSheet
from skillreg.archives.services import Forbidden
from skillreg.archives.sheets_io import parse_key, parse_sheets
from skillreg.archives.similarity import Sheet
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import IllegalTransition, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution

R = ScreeningRun.Status


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
                                source_sha256: str = "", at: dt.datetime) -> ScreeningRun:
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
    rule = get_pack(institution.pack_id).similarity
    run = ScreeningRun.objects.create(
        institution=institution, title=title.strip()[:200], pack_id=institution.pack_id,
        rule_fraction=rule.fraction or "", rule_inclusive=rule.inclusive, rule_source=rule.source or "",
        rule_note=(rule.note or "")[:200], method=similarity.METHOD, method_version=similarity.METHOD_VERSION,
        alpha=alpha, correction=similarity.CORRECTION, key_derivation="given" if key else "modal",
        given_key=list(key) if key else None, source_name=source_name[:255], source_sha256=source_sha256,
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
