"""Reading rosters with python-calamine: Excel's row numbers, unreadable files, cell values as typed."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from skillreg.conftest import NOW
from skillreg.exams.models import RosterImport
from skillreg.exams.services import imports as svc
from skillreg.exams.tests.conftest import make_id
from skillreg.exams.tests.test_import import HEADERS
from skillreg.exams.xlsx import RosterFileError, RosterReader, _text
from skillreg.files import sniff


def _book(cells: dict[str, object]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_at(row: int) -> dict[str, object]:
    return {f"{col}{row}": label for col, label in zip("ABCDEF", HEADERS, strict=True)}


def test_rows_keep_excel_numbers_across_blank_rows() -> None:
    data = _book({**_header_at(1), "A2": "张三", "B2": make_id(1), "C2": "高中",
                  "A5": "李四", "B5": make_id(2), "C5": "高中"})
    rows = list(RosterReader(io.BytesIO(data)).rows())
    assert [(r.name, r.row) for r, _ in rows] == [("张三", 2), ("李四", 5)]


def test_the_header_must_be_on_row_one() -> None:
    data = _book({**_header_at(2), "A3": "张三", "B3": make_id(1), "C3": "高中"})
    with pytest.raises(RosterFileError, match="表头缺少列"):
        list(RosterReader(io.BytesIO(data)).rows())


def test_an_unreadable_workbook_fails_the_import_with_a_clear_message(plan, inst_user) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # an OOXML package by its directory, not a workbook
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "这不是工作簿")
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW,
                                  upload=SimpleUploadedFile("名册.xlsx", out.getvalue()))
    assert imp.status == RosterImport.Status.FAILED
    assert imp.message == "无法读取该文件，请上传由模板填写的 .xlsx 文件"


def test_the_archive_is_checked_before_it_is_parsed(monkeypatch) -> None:
    """The files app's ZIP-bomb limit (declared uncompressed size) holds for the parse too."""
    data = _book({**_header_at(1), "A2": "张三", "B2": make_id(1), "C2": "高中"})
    monkeypatch.setattr(sniff, "ZIP_MAX_UNCOMPRESSED", 1000)
    with pytest.raises(RosterFileError, match="压缩炸弹"):
        list(RosterReader(io.BytesIO(data)).rows())


def test_cells_read_as_the_text_a_person_typed() -> None:
    assert _text(13800000000.0) == "13800000000"
    assert _text(1.5) == "1.5"
    assert _text(dt.date(2026, 11, 20)) == "2026-11-20"
    assert _text(dt.datetime(2026, 11, 20, 0, 0)) == "2026-11-20"  # noqa: DTZ001 (Excel has no time zone)
    assert _text(dt.datetime(2026, 11, 20, 9, 30)) == "2026-11-20 09:30:00"  # noqa: DTZ001
    assert _text(True) == "是"
    assert _text("  高中 ") == "高中"
    assert _text(None) == ""
