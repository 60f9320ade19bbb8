"""Reading answer sheets from a file, and from the exams app.

File format (the shape of ``cizek-wollack-form2.csv``): a header row, then one row per
examinee — column 1 the examinee id, column 2 the exam room id, every further column one
item, in item order; a cell holds the chosen option (``1``–``9`` or ``A``–``I``, letters
read as 1–9) or is empty for an omitted item. CSV in UTF-8 (with or without BOM) or GB18030
(what Excel writes on a Chinese Windows), or the first sheet of an .xlsx workbook.

All or nothing: every bad row is reported (row number, column, value, reason) and nothing
is returned, so a caller never writes part of a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from skillreg.archives.similarity import Sheet
from skillreg.core.errors import InvalidInput

MAX_ITEMS = 1000
MAX_ROWS = 200_000
LETTERS = "ABCDEFGHI"
# The valid cells, for a fast lookup (a file holds hundreds of thousands of them).
_CELLS: dict[str, int | None] = {"": None, **{str(n): n for n in range(1, 10)},
                                 **{c: n for n, c in enumerate(LETTERS, start=1)},
                                 **{c.lower(): n for n, c in enumerate(LETTERS, start=1)}}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file (the header is line 1)
    column: str
    value: str
    reason: str

    def text(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        shown = f"（“{self.value[:40]}”）" if self.value else ""
        return f"{where}{shown}：{self.reason}"


class SheetImportError(InvalidInput):
    """The file has bad rows; ``errors`` lists every one of them."""

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message, field="file", code="bad_answer_sheets")
        self.errors = list(errors)


def parse_option(cell: str) -> int | str | None:
    """The option in a cell: an int 1–9, None for empty, or the reason it is not one."""
    if cell in _CELLS:
        return _CELLS[cell]
    value = cell.strip()
    if not value:
        return None
    if value.isdigit() and len(value) == 1 and value != "0":
        return int(value)
    if len(value) == 1 and value.upper() in LETTERS:
        return LETTERS.index(value.upper()) + 1
    return "选项应为 1–9 或 A–I，空白表示未作答"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetImportError("文件既不是 UTF-8 也不是 GB18030 编码的 CSV，无法读取。")


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only xlsx imports need it

    from skillreg.files.sniff import UnsafeArchive, identify

    # The archive's directory is checked (member count, declared uncompressed size) before
    # anything is inflated: a small upload must not unpack into gigabytes.
    try:
        identify(data)
    except UnsafeArchive as exc:
        raise SheetImportError(exc.message) from exc
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SheetImportError("无法读取该 .xlsx 文件，请确认文件未损坏。") from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                     for v in row])
    book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def read_rows(data: bytes) -> list[list[str]]:
    if not data:
        raise SheetImportError("文件是空的。")
    if data[:4] == b"PK\x03\x04":
        return _rows_from_xlsx(data)
    if b"\x00" in data[:4096]:
        raise SheetImportError("文件不是文本格式的 CSV（含二进制内容）。请上传 CSV 或 .xlsx。")
    text = _decode(data)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise SheetImportError(f"CSV 格式错误：{exc}") from exc


def parse_sheets(data: bytes) -> tuple[list[str], list[Sheet]]:
    """(item headers, sheets) from a file's bytes, or SheetImportError listing every bad row."""
    rows = read_rows(data)
    if not rows:
        raise SheetImportError("文件没有内容。")
    header = [c.strip() for c in rows[0]]
    problems: list[RowError] = []
    if len(header) < 3:
        raise SheetImportError("表头至少需要三列：考生编号、考场编号、第 1 题……",
                               [RowError(1, "", ",".join(header), "列数不足")])
    items = header[2:]
    if len(items) > MAX_ITEMS:
        raise SheetImportError(f"题目超过 {MAX_ITEMS} 道，请检查文件。")
    for number, name in enumerate(items, start=3):
        if not name:
            problems.append(RowError(1, f"第 {number} 列", "", "题目列名为空"))
    seen_names: set[str] = set()
    for name in items:
        if name and name in seen_names:
            problems.append(RowError(1, name, name, "题目列名重复"))
        seen_names.add(name)
    if len(rows) - 1 > MAX_ROWS:
        raise SheetImportError(f"考生超过 {MAX_ROWS} 人，请按场次分批导入。")
    sheets: list[Sheet] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problems.append(RowError(line, "", "", f"有 {len(row)} 列，表头有 {len(header)} 列"))
            continue
        examinee, room = row[0].strip(), row[1].strip()
        bad = False
        if not examinee:
            problems.append(RowError(line, header[0] or "考生编号", "", "考生编号为空"))
            bad = True
        elif examinee in seen:
            problems.append(RowError(line, header[0] or "考生编号", examinee, f"与第 {seen[examinee]} 行重复"))
            bad = True
        else:
            seen[examinee] = line
        if not room:
            problems.append(RowError(line, header[1] or "考场编号", "", "考场编号为空"))
            bad = True
        answers: list[int | None] = []
        for name, cell in zip(items, row[2:], strict=True):
            option = parse_option(cell)
            if isinstance(option, str):
                problems.append(RowError(line, name, cell.strip(), option))
                bad = True
            else:
                answers.append(option)
        if not bad and all(a is None for a in answers):
            problems.append(RowError(line, "", examinee, "整张答卷为空"))
            bad = True
        if not bad:
            sheets.append(Sheet(examinee=examinee, room=room, answers=tuple(answers)))
    if problems:
        rows_bad = len({p.row for p in problems})
        raise SheetImportError(f"文件有 {rows_bad} 行有误（共 {len(problems)} 处），未导入任何答卷。", problems)
    if len(sheets) < 2:
        raise SheetImportError("至少需要两名考生的答卷才能比对。")
    return items, sheets


def parse_key(text: str, n_items: int) -> list[int | None] | None:
    """An answer key typed as options separated by commas or spaces (``2,3,1`` or ``BCA``)."""
    value = text.strip()
    if not value:
        return None
    parts = [p for p in value.replace("，", ",").replace(",", " ").split() if p]
    if len(parts) == 1 and len(parts[0]) == n_items:
        parts = list(parts[0])
    if len(parts) != n_items:
        raise InvalidInput(f"标准答案有 {len(parts)} 项，答卷有 {n_items} 道题，数量应一致。", field="key")
    key: list[int | None] = []
    for number, part in enumerate(parts, start=1):
        option = parse_option(part)
        if isinstance(option, str) or option is None:
            raise InvalidInput(f"标准答案第 {number} 题“{part}”不是有效选项。", field="key")
        key.append(option)
    return key


# --- the exams app -------------------------------------------------------------------------

# The contract with skillreg.exams: the model ``exams.AnswerSheet`` (exams/models/scoring.py),
# one per registration, with
#   registration_id — the candidate's registration (its Registration row; one sitting = one ExamPlan),
#   room            — the exam room as the institution typed it (CharField),
#   answers         — a JSON list, one chosen option per item in item order (a string such as
#                     "A" or "BD"), None = omitted.
# Options are compared as given (a multiple-choice answer "BD" is one option). Pass the sheets
# of one sitting, e.g. ``AnswerSheet.objects.filter(registration__plan=plan)``.


def exams_answer_sheets_available() -> bool:
    try:
        apps.get_model("exams", "AnswerSheet")
    except LookupError:
        return False
    return True


def _room_of(obj: Any) -> str:
    # exams.AnswerSheet names the field ``room``; ``room_id`` is kept for other AnswerSheet-like
    # objects built against the first version of this contract.
    room = getattr(obj, "room", None)
    if room is None:
        room = getattr(obj, "room_id", None)
    return "" if room is None else str(room).strip()


def sheets_from_objects(objects: Iterable[Any], *, label: Any = None) -> list[Sheet]:
    """Sheets from AnswerSheet-like objects (see the contract above).

    ``label(obj)`` names the examinee; by default ``str(obj.registration_id)``.
    """
    sheets = []
    for obj in objects:
        examinee = str(label(obj) if label is not None else obj.registration_id)
        answers = obj.answers
        if not isinstance(answers, list):
            raise InvalidInput(f"考生 {examinee} 的答卷格式不对（应为选项列表）。")
        room = _room_of(obj)
        if not room:
            raise InvalidInput(f"考生 {examinee} 的答卷没有考场。")
        sheets.append(Sheet(examinee=examinee, room=room,
                            answers=tuple(None if a in (None, "") else a for a in answers)))
    return sheets


def parse_key_as_given(text: str, n_items: int) -> list[str] | None:
    """A key for answers stored as text (the exams app: "A", "BD"): options separated by commas
    or spaces, or one run of single letters (``ABDC``). Upper-cased, compared as given."""
    value = text.strip()
    if not value:
        return None
    parts = [p.upper() for p in value.replace("，", ",").replace(",", " ").split() if p]
    if len(parts) == 1 and len(parts[0]) == n_items:
        parts = list(parts[0])
    if len(parts) != n_items:
        raise InvalidInput(f"标准答案有 {len(parts)} 项，答卷有 {n_items} 道题，数量应一致。", field="key")
    return parts


def read_upload(upload: Any) -> tuple[bytes, str]:
    """The bytes and cleaned name of an uploaded answer-sheet file, after the size and type checks."""
    from skillreg.files.services import clean_name, upload_max_bytes

    if upload is None:
        raise SheetImportError("请选择答卷文件（CSV 或 .xlsx）。")
    name = clean_name(upload.name or "")
    if not name.lower().endswith((".csv", ".xlsx")):
        raise SheetImportError(f"文件“{name or '（未命名）'}”不是 CSV 或 .xlsx 文件。")
    limit = upload_max_bytes()
    if (upload.size or 0) > limit:
        raise SheetImportError(f"文件超过 {limit // (1024 * 1024)} MB 上限。")
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise SheetImportError(f"文件超过 {limit // (1024 * 1024)} MB 上限。")
    if name.lower().endswith(".xlsx") != (data[:4] == b"PK\x03\x04"):
        raise SheetImportError(f"文件“{name}”的内容与扩展名不符。")
    return data, name
