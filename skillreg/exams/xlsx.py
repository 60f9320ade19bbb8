"""Rosters and results in Excel (.xlsx, openpyxl): the import template, reading rows, exports."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from skillreg.exams.idcard import mask_id
from skillreg.exams.models import ExamPlan, Registration, Relation
from skillreg.exams.services.registrations import COLUMNS, CandidateRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED = ("name", "id_number", "education")
HEADER_KEYS = {label: key for key, label in COLUMNS.items()}


class RosterFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, headers missing)."""


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "考生名册"
    ws.append(list(COLUMNS.values()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    # Text format: Excel would otherwise turn an 18-digit number into 1.2E+17 and lose digits.
    for row in range(2, 1002):
        ws.cell(row=row, column=2).number_format = "@"
    for col, width in zip("ABCDEF", (12, 24, 12, 30, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append(["姓名", "必填，与身份证一致"])
    notes.append(["身份证号码", "必填，18 位，以文本格式填写"])
    notes.append(["文化程度", "必填，如：高中、中专、大专、本科"])
    notes.append(["工作单位/学校", "选填"])
    notes.append(["与机构关系", "选填，可选：" + "、".join(Relation.labels)
                  + "；企业评价机构须填用工关系，技工院校须填本校学生"])
    notes.append(["联系电话", "选填"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class RosterReader:
    """Streams the rows of the first sheet; ``numeric_ids`` are rows whose ID cell was a number."""

    stream: IO[bytes]

    def rows(self) -> Iterator[tuple[CandidateRow, bool]]:
        try:
            wb = load_workbook(self.stream, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise RosterFileError("无法读取该文件，请上传由模板填写的 .xlsx 文件") from exc
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None:
            raise RosterFileError("文件是空的：第 1 行应为表头")
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            key = HEADER_KEYS.get(_text(value))
            if key and key not in positions:
                positions[key] = index
        missing = [COLUMNS[k] for k in REQUIRED if k not in positions]
        if missing:
            raise RosterFileError(f"表头缺少列：{'、'.join(missing)}（请使用下载的模板）")
        for number, values in enumerate(it, start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue

            def cell(key: str, values: tuple[Any, ...] = values) -> Any:
                pos = positions.get(key)
                return values[pos] if pos is not None and pos < len(values) else None

            raw_id = cell("id_number")
            yield CandidateRow(
                name=_text(cell("name")), id_number=_text(raw_id), education=_text(cell("education")),
                work_unit=_text(cell("work_unit")), relation=_text(cell("relation")),
                phone=_text(cell("phone")), row=number,
            ), isinstance(raw_id, int | float)
        wb.close()


def _book(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def roster_export_bytes(plan: ExamPlan, registrations: Iterable[Registration]) -> bytes:
    headers = ["序号", "姓名", "身份证号码", "性别", "文化程度", "工作单位/学校", "与机构关系", "联系电话"]
    return _book("考核人员花名册", headers, (
        [i, r.name, mask_id(r.candidate.id_number), r.candidate.gender, r.education, r.work_unit,
         r.get_relation_display(), r.phone]
        for i, r in enumerate(registrations, start=1)))


def results_export_bytes(plan: ExamPlan, registrations: Iterable[Registration]) -> bytes:
    final = plan.status == ExamPlan.Status.RESULTS_APPROVED
    return _book("考核结果", ["序号", "姓名", "身份证号码", "成绩", "结果", "状态"], (
        [i, r.name, mask_id(r.candidate.id_number), float(r.score) if r.score is not None else None,
         "缺考" if r.absent else ("合格" if r.passed else ("不合格" if r.passed is False else "")),
         "已核准" if final else "待核准"]
        for i, r in enumerate(registrations, start=1)))
