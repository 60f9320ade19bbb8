"""render(kind, data, fmt): the one entry point the rest of the system calls."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from skillreg.documents.notices import DocumentKind, ResultNoticeTerminated
from skillreg.documents.registry import build, content_type, filename, render
from skillreg.documents.tests.conftest import squash

SUPPLEMENT_DATA = {
    "doc_number": "成人社鉴补〔2026〕0041号",
    "applicant": "成都锦城技工学校",
    "items": [
        {"item": "承诺书", "clause": "001 附件5"},
        {"item": "场地证明", "clause": "001 二(三)", "detail": "过期"},
    ],
    "deadline": "2026-11-27",
    "deadline_provisional": False,
    "authority": "成都市人力资源和社会保障局",
    "date": "2026-11-20",
}


def test_it_renders_each_kind_as_pdf_and_docx(filed, terminated, supplement) -> None:  # type: ignore[no-untyped-def]
    for notice in (filed, terminated, supplement):
        assert render(notice.kind, notice, "pdf").startswith(b"%PDF-")
        assert render(notice.kind, notice, "docx").startswith(b"PK")  # a zip package


def test_it_builds_a_notice_from_plain_data() -> None:
    notice = build("supplement", SUPPLEMENT_DATA)

    pdf_text = squash(
        "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(render("supplement", SUPPLEMENT_DATA, "pdf"))).pages
        )
    )
    assert notice.to_letter().date == "2026年11月20日"
    assert "承诺书" in pdf_text and "001二(三)" in pdf_text and "2026年11月27日" in pdf_text
    docx = Document(io.BytesIO(render(DocumentKind.SUPPLEMENT, SUPPLEMENT_DATA, "docx")))
    assert docx.tables[0].rows[2].cells[2].text == "过期"


def test_it_accepts_the_dataclass_itself(terminated: ResultNoticeTerminated) -> None:
    assert build(DocumentKind.RESULT_TERMINATED, terminated) is terminated


def test_it_refuses_an_unknown_format(terminated: ResultNoticeTerminated) -> None:
    with pytest.raises(ValueError, match="不支持的文书格式"):
        render(DocumentKind.RESULT_TERMINATED, terminated, "odt")


def test_it_refuses_an_unknown_kind(terminated: ResultNoticeTerminated) -> None:
    with pytest.raises(ValueError, match="未知的文书种类"):
        render("certificate", terminated, "pdf")


def test_it_refuses_fields_the_notice_does_not_have() -> None:
    with pytest.raises(ValueError, match="colour"):
        build("supplement", {**SUPPLEMENT_DATA, "colour": "red"})


def test_it_refuses_data_of_another_kind(terminated: ResultNoticeTerminated) -> None:
    with pytest.raises(ValueError, match="SupplementNotice"):
        build(DocumentKind.SUPPLEMENT, terminated)


def test_it_names_the_download(terminated: ResultNoticeTerminated) -> None:
    assert content_type("pdf") == "application/pdf"
    assert content_type("docx").endswith("wordprocessingml.document")
    assert filename(terminated, "docx") == "成人社鉴终-2026-0003号.docx"
    with pytest.raises(ValueError):
        content_type("exe")
