"""XLSX exports: a screening run's results, and the destruction ledger (also as CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from skillreg.archives import report, similarity
from skillreg.archives.models import DestructionLedgerEntry, ScreeningRun
from skillreg.core import clock
from skillreg.core.spreadsheet import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"




def _response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _book(sheets: Iterable[tuple[str, list[list[Any]]]]) -> bytes:
    from openpyxl import Workbook  # only exports need it

    book = Workbook(write_only=True)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_rows(run: ScreeningRun) -> list[tuple[str, list[list[Any]]]]:
    notes: list[list[Any]] = [
        ["考试场次", run.title], ["考核机构", run.institution.name], ["政策包", run.pack_id],
        ["判定规则", f"{run.rule_source} 同一考场{report.fraction_text(run)}考生答卷异常雷同" if run.rule_fraction
         else report.fraction_text(run)],
        ["方法", similarity.METHOD_NAME], ["方法说明", report.METHOD_TEXT],
        ["显著性水平 α", run.alpha], ["多重比较校正", "每考场 Bonferroni：每对阈值 = α ÷ 考场内对数"],
        ["标准答案", report.KEY_MODAL if run.key_derivation == "modal" else report.KEY_GIVEN],
        ["推定/导入的标准答案", " ".join("" if k is None else str(k) for k in (run.answer_key or []))],
        ["参数", str(run.parameters)], ["来源文件", run.source_name], ["文件 SHA-256", run.source_sha256],
        ["答卷数", run.sheet_count], ["题数", run.item_count], ["考场数", run.room_count],
        ["比对对数", run.pair_count], ["异常雷同对数", run.flagged_pair_count],
        ["达到判定比例的考场数", run.flagged_room_count],
        ["计算用时（秒）", run.runtime_seconds], ["导出时间", f"{clock.local_now():%Y-%m-%d %H:%M}"],
        ["提示", report.CAVEAT],
    ]
    rooms: list[list[Any]] = [["考场", "考生数", "比对对数", "每对阈值", "异常雷同对数", "涉及考生数", "涉及占比",
                               "达到判定比例", "最小 p 值", "解读"]]
    for room in run.rooms.order_by("-share", "-flagged_pairs", "room"):
        verdict = "文件未规定" if room.reaches_rule is None else ("是" if room.reaches_rule else "否")
        rooms.append([room.room, room.candidates, room.pairs, room.pair_alpha, room.flagged_pairs,
                      room.flagged_candidates, round(room.share, 4), verdict, room.min_p,
                      report.room_reading(run, room)])
    pairs: list[list[Any]] = [["考场", "考生甲", "考生乙", "相同错误答案数", "独立作答期望", "z", "p 值",
                               "相同错误的题目"]]
    for pair in run.pairs.select_related("room").order_by("room__room", "p_value"):
        pairs.append([pair.room.room, pair.examinee_a, pair.examinee_b, pair.identical_incorrect,
                      round(pair.expected, 2), round(pair.z, 2), pair.p_value,
                      report.shared_items_text(pair, run.item_names)])
    return [("说明", notes), ("考场", rooms), ("异常雷同答卷对", pairs)]


def export_run(run: ScreeningRun) -> HttpResponse:
    return _response(_book(run_rows(run)), XLSX, f"答卷雷同筛查_{run.title}_{clock.today():%Y-%m-%d}.xlsx")


LEDGER_HEADERS = ["序号", "考核机构", "档案名称", "类别", "载体", "考核场次", "形成日期", "保存期满日", "保存期依据",
                  "批准人", "批准时间", "销毁日期", "销毁方式", "方式说明", "销毁人", "监销人"]


def ledger_rows(entries: QuerySet[DestructionLedgerEntry]) -> list[list[Any]]:
    rows = []
    for entry in entries.order_by("destroyed_at", "id"):
        rows.append([
            entry.pk, entry.institution.name, entry.title, entry.get_category_display(), entry.get_kind_display(),
            entry.sitting, entry.made_on.isoformat(), entry.retain_until.isoformat(), entry.retention_source,
            str(entry.approved_by), f"{entry.approved_at.astimezone(clock.LOCAL_TZ):%Y-%m-%d %H:%M}",
            entry.destroyed_on.isoformat(), entry.get_method_display(), entry.method_detail,
            str(entry.destroyed_by), entry.witness,
        ])
    return rows


def export_ledger(entries: QuerySet[DestructionLedgerEntry], fmt: str) -> HttpResponse:
    rows = ledger_rows(entries)
    stem = f"档案销毁台账_{clock.today():%Y-%m-%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(LEDGER_HEADERS)
        writer.writerows([[safe_cell(v) for v in row] for row in rows])
        # UTF-8 with a BOM so that Excel opens the Chinese text correctly.
        return _response(("\ufeff" + buffer.getvalue()).encode(), "text/csv; charset=utf-8", stem + ".csv")
    notes: list[list[Any]] = [["依据", "000 三(二)：对保存期满需要销毁的档案进行台账登记备查"],
             ["导出时间", f"{clock.local_now():%Y-%m-%d %H:%M}"], ["条数", len(rows)]]
    return _response(_book([("销毁台账", [LEDGER_HEADERS, *rows]), ("说明", notes)]), XLSX, stem + ".xlsx")
