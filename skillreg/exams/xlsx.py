"""Rosters and results in Excel (.xlsx): reading with python-calamine, the template and exports with openpyxl.

Reading a 100,000-row roster is the hot path of the import (issue 8, figure 3): python-calamine
parses the sheet in Rust; openpyxl, pure Python, took ~45 s for the same file. openpyxl still
writes the template and the exports.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineError, CalamineWorkbook

from skillreg.core.errors import InvalidInput
from skillreg.core.spreadsheet import safe_cell
from skillreg.exams.idcard import mask_id
from skillreg.exams.models import ExamPlan, Registration, Relation
from skillreg.exams.services.registrations import COLUMNS, CandidateRow
from skillreg.files import sniff
from skillreg.files.sniff import FileKind

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


UNREADABLE = "无法读取该文件，请上传由模板填写的 .xlsx 文件"


def _text(value: Any) -> str:
    """A cell as the text a person sees: 12.0 → "12", a date cell → "2026-11-20", text trimmed."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _halfwidth(text: str) -> str:
    """Full-width digits and letters (５１１９…Ｘ, typed with a Chinese input method) as ASCII."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def _blank(values: list[Any]) -> bool:
    return all(v is None or (v.__class__ is str and not v.strip()) for v in values)


def first_sheet_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    """The rows of the first sheet as Python values, the first one being Excel row 1.

    ``RosterFileError`` when the file is not a readable .xlsx. Blank cells are "" and every row
    has the same length (python-calamine pads leading blank rows, so row numbers stay Excel's;
    ``test_import_calamine`` pins that).
    """
    # The files app refused ZIP bombs at upload (member count and declared uncompressed size,
    # skillreg/files/sniff.py); checked again on the stored bytes before anything is inflated.
    try:
        found = sniff.identify(stream)
    except InvalidInput as exc:
        raise RosterFileError(exc.message) from exc
    if found.kind != FileKind.XLSX:
        raise RosterFileError(UNREADABLE)
    stream.seek(0)
    try:
        with CalamineWorkbook.from_filelike(stream) as workbook:
            sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise RosterFileError(UNREADABLE) from exc
    return sheet.iter_rows()


@dataclass
class RosterReader:
    """Streams the rows of the first sheet: (row, the ID cell was a number) per non-blank row."""

    stream: IO[bytes]

    def rows(self) -> Iterator[tuple[CandidateRow, bool]]:
        it = first_sheet_rows(self.stream)
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
        name_at, id_at, education_at = positions["name"], positions["id_number"], positions["education"]
        work_unit_at, relation_at, phone_at = (positions.get(k, -1) for k in ("work_unit", "relation", "phone"))
        text = _text
        for number, values in enumerate(it, start=2):
            name = text(values[name_at])
            if not name and _blank(values):
                continue
            raw_id = values[id_at]
            row = CandidateRow(
                name=name, id_number=_halfwidth(text(raw_id)), education=text(values[education_at]),
                work_unit=text(values[work_unit_at]) if work_unit_at >= 0 else "",
                relation=text(values[relation_at]) if relation_at >= 0 else "",
                phone=_halfwidth(text(values[phone_at])) if phone_at >= 0 else "", row=number,
            )
            # A number cell comes back as float (int from some writers): its last digits may be gone.
            yield row, raw_id.__class__ is float or raw_id.__class__ is int


def _book(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(headers)
    for row in rows:
        ws.append([safe_cell(v) for v in row])  # names and units are typed by institutions
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


# --- training rosters (002 第五条(四)) ------------------------------------------------------

TRAINEE_HEADERS = ("姓名", "身份证号码")
TRAINEE_MAX_ROWS = 20000  # a training class, checked on the request; more is not one class


def trainee_template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "培训学员名册"
    ws.append(list(TRAINEE_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in range(2, 1002):
        ws.cell(row=row, column=2).number_format = "@"
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def trainee_rows(stream: IO[bytes]) -> list[tuple[int, str, str, bool]]:
    """(Excel row, 姓名, 身份证号码, the ID cell was a number) for every non-empty row.

    Read like the candidate roster (``first_sheet_rows``): the archive is checked before it is
    inflated, and a damaged file is a ``RosterFileError``, never a server error."""
    it = first_sheet_rows(stream)
    header = next(it, None)
    if header is None:
        raise RosterFileError("文件是空的：第 1 行应为表头")
    labels = [_text(v) for v in header]
    missing = [h for h in TRAINEE_HEADERS if h not in labels]
    if missing:
        raise RosterFileError(f"表头缺少列：{'、'.join(missing)}（请使用下载的模板）")
    name_at, id_at = labels.index("姓名"), labels.index("身份证号码")
    rows: list[tuple[int, str, str, bool]] = []
    for number, values in enumerate(it, start=2):
        if all(v is None or _text(v) == "" for v in values):
            continue
        if len(rows) >= TRAINEE_MAX_ROWS:
            raise RosterFileError(f"一个培训学员名册最多 {TRAINEE_MAX_ROWS} 人，请按培训班分别申报")
        raw_id = values[id_at] if id_at < len(values) else None
        rows.append((number, _text(values[name_at] if name_at < len(values) else None), _text(raw_id),
                     isinstance(raw_id, int | float)))
    return rows
