"""Hostile and malformed files for the two importers (issue 9, Input): the roster importer
(``exams/xlsx.py`` through ``exams/services/imports.py``) and the answer-sheet importer
(``archives/sheets_io.py``). Wrong headers, merged cells, formulas, dates as text and as numbers,
full-width digits and spaces, 𠮷 in names, random cells (hypothesis), a damaged file, a ZIP bomb
and a 200 MB file: each gets a clear Chinese message, none a 500, none leaves partial data.

Files are sent through the API where the size allows (what a user does); the 200 MB file is a
sparse file handed to the service as an upload, never held in memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from skillreg.archives.models import ScreeningRun
from skillreg.archives.sheets_io import SheetImportError, parse_sheets, read_upload
from skillreg.conftest import NOW, login
from skillreg.core.errors import InvalidInput
from skillreg.exams.models import Registration, RosterImport
from skillreg.exams.services import imports as svc
from skillreg.exams.tests.conftest import (  # noqa: F401 - fixtures
    centre,
    inst,
    inst_user,
    make_id,
    plan,
    scope,
    venue,
)
from skillreg.files.models import StoredFile
from skillreg.registry.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "身份证号码", "文化程度", "工作单位/学校", "与机构关系", "联系电话"]
MB = 1024 * 1024


def book(rows: list[list[Any]], headers: list[Any] | None = HEADERS, *, edit: Any = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(headers)
    for r in rows:
        ws.append(r)
    if edit is not None:
        edit(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bomb(base: bytes, *, uncompressed: int = 210 * MB) -> bytes:
    """A valid workbook plus one member that inflates to ``uncompressed`` bytes of zeros
    (~200 KB on disk). Built by streaming, never whole in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(uncompressed // MB):
                member.write(chunk)
    return out.getvalue()


def sparse_upload(tmp_path: Path, name: str, size: int = 200 * MB) -> UploadedFile:
    """A 200 MB file that takes no disk or memory: a hole, with a plausible start."""
    path = tmp_path / name
    with path.open("wb") as f:
        f.write(book([["张三", make_id(1), "高中"]]))
        f.truncate(size)
    return UploadedFile(file=path.open("rb"), name=name, size=size)


# ---------------------------------------------------------------- the roster importer


def _import(client: Client, plan: Any, data: bytes, name: str = "名册.xlsx") -> Any:  # noqa: F811
    response = client.post(f"/api/v1/exams/plans/{plan.public_id}/imports",
                           {"file": SimpleUploadedFile(name, data)})
    assert response.status_code < 500, response.content[:500]
    return response


def _no_partial_data() -> None:
    assert Registration.objects.count() == 0


def test_wrong_headers_fail_the_whole_roster_with_the_missing_columns_named(plan, inst_user) -> None:  # noqa: F811
    response = _import(login(inst_user), plan, book([["张三", make_id(1), "高中"]], ["名字", "证件", "学历"]))
    assert response.status_code == 201
    imp = RosterImport.objects.get()
    assert imp.status == RosterImport.Status.FAILED
    assert "表头缺少列" in imp.message and "姓名" in imp.message and "身份证号码" in imp.message
    _no_partial_data()


def test_an_empty_sheet_and_a_damaged_file_get_a_message(plan, inst_user) -> None:  # noqa: F811
    client = login(inst_user)
    _import(client, plan, book([], headers=None))
    damaged = book([["张三", make_id(1), "高中"]])
    response = _import(client, plan, damaged[: len(damaged) // 2])
    messages = [*RosterImport.objects.values_list("message", flat=True), response.json().get("message", "")]
    assert any("空" in m for m in messages), messages
    assert any("无法" in m or "不" in m for m in messages[1:]), messages
    _no_partial_data()


def test_merged_cells_formulas_and_dates_are_read_as_a_person_sees_them(plan, inst_user) -> None:  # noqa: F811
    def merge_and_formula(ws: Any) -> None:
        ws.merge_cells("C2:C3")  # education merged over two candidates: the second row's cell is empty
        ws["A4"] = '="王"&"五"'  # a formula with no cached value: read as empty, never evaluated
        ws["F2"].number_format = "yyyy-mm-dd"

    import datetime as dt

    data = book([
        ["张三", make_id(1), "高中", dt.date(2026, 11, 20), "", "2026-11-20"],  # dates as a date and as text
        ["李四", make_id(2), "", "", "", 45250],  # education lost to the merge; phone as a date serial
        ["", make_id(3), "大专", "", "", ""],
    ], edit=merge_and_formula)
    client = login(inst_user)
    _import(client, plan, data)
    imp = RosterImport.objects.get()
    assert imp.status == RosterImport.Status.VALIDATED
    assert imp.good_rows == 1 and imp.bad_rows == 2
    reasons = {(e["row"], e["column"]) for e in imp.errors}
    assert (3, "文化程度") in reasons and (4, "姓名") in reasons
    _no_partial_data()  # nothing before the user accepts


def test_full_width_digits_spaces_and_four_byte_names_import_intact(plan, inst_user) -> None:  # noqa: F811
    full_width = make_id(7).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    data = book([
        ["𠮷田", f"\u3000{full_width}\u3000", "高中"],  # typed with a Chinese input method
        [" 张\u3000三 ", make_id(8), "本科", "", "", "１３９ ００００ ００００"],
    ])
    client = login(inst_user)
    _import(client, plan, data)
    imp = RosterImport.objects.get()
    assert imp.status == RosterImport.Status.VALIDATED and imp.bad_rows == 0, imp.errors
    accepted = client.post(f"/api/v1/exams/imports/{imp.public_id}/accept")
    assert accepted.status_code == 200, accepted.content
    names = set(Registration.objects.values_list("name", flat=True))
    assert "𠮷田" in names  # the 4-byte character survives the database round trip
    assert make_id(7) in set(Registration.objects.values_list("candidate__id_number", flat=True))


def test_a_zip_bomb_roster_is_refused_before_it_is_inflated(plan, inst_user) -> None:  # noqa: F811
    data = bomb(book([["张三", make_id(1), "高中"]]))
    assert len(data) < 2 * MB
    response = _import(login(inst_user), plan, data)
    assert response.status_code in (400, 413, 422), response.content[:300]
    assert "压缩" in response.json()["message"]
    assert not RosterImport.objects.exists() and not StoredFile.objects.exists()
    _no_partial_data()


def test_a_200_mb_roster_is_refused_by_size_and_nothing_is_stored(plan, inst_user, tmp_path) -> None:  # noqa: F811
    with pytest.raises(InvalidInput) as refused:
        svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=sparse_upload(tmp_path, "名册.xlsx"))
    assert "MB" in refused.value.message or "大小" in refused.value.message, refused.value.message
    assert not RosterImport.objects.exists() and not StoredFile.objects.exists()
    _no_partial_data()


_cell = st.one_of(
    st.none(), st.text(max_size=30), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.dates(), st.sampled_from(["=1/0", "=A1", "#N/A", "\u3000", "𠮷", "０", "\x00"]),
)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_cell, min_size=0, max_size=8), max_size=6),
       headers=st.one_of(st.just(HEADERS), st.permutations(HEADERS), st.lists(_cell, max_size=6)))
def test_random_rosters_get_a_verdict_and_write_nothing(plan, inst_user, rows, headers) -> None:  # noqa: F811
    try:
        data = book(rows, headers)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses control characters itself
        return
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=SimpleUploadedFile("名册.xlsx", data))
    assert imp.status in (RosterImport.Status.VALIDATED, RosterImport.Status.FAILED)
    if imp.status == RosterImport.Status.FAILED:
        assert imp.message
    for error in imp.errors:
        assert error["reason"] and error["row"] >= 2
    _no_partial_data()


# ---------------------------------------------------------------- the answer-sheet importer

SHEET_HEADERS = ["考生编号", "考场编号", "第1题", "第2题", "第3题"]


@pytest.fixture
def screening_official(bazhong):  # type: ignore[no-untyped-def]
    from skillreg.accounts.models import Role
    from skillreg.conftest import make_user

    return make_user(Role.FILING_OFFICIAL, bazhong, username="bz-screening")


@pytest.fixture
def screened(bazhong):  # type: ignore[no-untyped-def]
    return InstitutionFactory(name="巴中市某专项职业能力考核机构", authority=bazhong, region_code="511902",
                              pack_id="bz-2023-special")


def _screen(user: Any, institution: Any, data: bytes, name: str = "答卷.xlsx") -> Any:
    response = login(user).post("/api/v1/archives/screenings", {
        "institution": str(institution.public_id), "title": "2026年第4期", "file": SimpleUploadedFile(name, data)})
    assert response.status_code < 500, response.content[:500]
    return response


@pytest.mark.parametrize(("case", "rows", "expect"), [
    ("two columns", [["考生编号", "考场编号"], ["1", "A"], ["2", "A"]], "表头"),
    ("bad option", [SHEET_HEADERS, ["1", "A", "1", "Z", ""], ["2", "A", "1", "2", "3"]], "选项"),
    ("one examinee", [SHEET_HEADERS, ["1", "A", "1", "2", "3"]], "两名"),
])
def test_bad_answer_sheets_are_refused_with_a_message_and_nothing_written(
        screening_official, screened, case, rows, expect) -> None:  # type: ignore[no-untyped-def]
    response = _screen(screening_official, screened, book(rows[1:], rows[0]))
    assert response.status_code == 422, (case, response.content[:300])
    assert expect in response.json()["message"] or any(expect in e["reason"] for e in response.json()["errors"])
    assert not ScreeningRun.objects.exists()


def test_full_width_digits_formulas_and_4_byte_ids_are_read(screening_official, screened) -> None:
    def formula(ws: Any) -> None:
        ws["E4"] = "=1+1"  # no cached value: an omitted answer, never evaluated

    data = book([["𠮷001", "一考场", "１", "B", "3"], ["𠮷002", "一考场", "1", "b", "3"],
                 ["003", "一考场", "2", "B", ""]], SHEET_HEADERS, edit=formula)
    items, sheets = parse_sheets(data)
    assert len(items) == 3 and sheets[0].examinee == "𠮷001"
    assert tuple(sheets[0].answers) == (1, 2, 3) and sheets[2].answers[2] is None


def test_merged_cells_and_full_width_letters_are_reported_row_by_row(screening_official, screened) -> None:
    def merge(ws: Any) -> None:
        ws.merge_cells("B2:B3")  # the room written once for two examinees: the second row has none

    data = book([["001", "一考场", "1", "Ｂ", "3"], ["002", "", "1", "2", "3"], ["003", "一考场", "2", "1", "1"]],
                SHEET_HEADERS, edit=merge)
    response = _screen(screening_official, screened, data)
    assert response.status_code == 422
    errors = {(e["row"], e["reason"]) for e in response.json()["errors"]}
    assert (3, "考场编号为空") in errors
    # A full-width Ｂ (typed with a Chinese input method) is refused with the reason, not misread.
    assert any(row == 2 and "A–I" in reason for row, reason in errors), errors
    assert not ScreeningRun.objects.exists()


@settings(max_examples=25, deadline=None, derandomize=True)
@given(rows=st.lists(st.lists(st.one_of(st.text(max_size=6), st.integers(-5, 20), st.none()), max_size=6),
                     max_size=6))
def test_random_answer_sheets_parse_or_get_a_message(rows) -> None:  # type: ignore[no-untyped-def]
    data = "\n".join(",".join("" if c is None else str(c).replace(",", "").replace("\n", "") for c in r)
                     for r in rows).encode()
    try:
        parse_sheets(data)
    except SheetImportError as exc:
        assert exc.message


def test_a_zip_bomb_answer_sheet_is_refused_before_it_is_inflated(screening_official, screened) -> None:
    data = bomb(book([["1", "A", "1", "2", "3"], ["2", "A", "1", "2", "3"]], SHEET_HEADERS))
    response = _screen(screening_official, screened, data)
    assert response.status_code == 422 and "压缩" in response.json()["message"], response.content[:300]
    assert not ScreeningRun.objects.exists()


def test_a_200_mb_answer_sheet_file_is_refused_by_size_before_it_is_read(tmp_path) -> None:
    upload = sparse_upload(tmp_path, "答卷.xlsx")
    with pytest.raises(SheetImportError, match="MB 上限"):
        read_upload(upload)
    assert upload.file.tell() == 0  # refused on the declared size: not one byte read


def test_the_training_roster_reader_refuses_a_zip_bomb_and_damaged_files() -> None:
    """The third .xlsx reader (trainees declared for 考培分离, 002 第五条(四)) checks the archive
    before inflating it and answers a damaged file with a message, like the other two."""
    from skillreg.exams.xlsx import RosterFileError, trainee_rows

    good = book([["张三", make_id(1)]], ["姓名", "身份证号码"])
    assert [(r[1], r[2]) for r in trainee_rows(io.BytesIO(good))] == [("张三", make_id(1))]
    with pytest.raises(RosterFileError, match="压缩"):
        trainee_rows(io.BytesIO(bomb(good)))
    for damaged in (good[: len(good) // 2], b"PK\x03\x04" + b"\x00" * 64, "姓名,身份证号码".encode()):
        with pytest.raises(RosterFileError):
            trainee_rows(io.BytesIO(damaged))
