"""The DOCX: the same text as the PDF, A4, Chinese faces named, the verification footer."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

from skillreg.documents.notices import Notice, ResultNoticeFiled, SupplementNotice
from skillreg.documents.tests.conftest import key_strings, squash
from skillreg.documents.word import render_docx


def read(docx: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(docx))


def all_text(document) -> str:  # type: ignore[no-untyped-def]
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.footer.paragraphs]
    return squash("".join(parts))


def test_it_renders_a_docx_with_the_chinese_text(notice: Notice) -> None:
    document = read(render_docx(notice))

    text = all_text(document)
    for expected in key_strings(notice):
        assert squash(expected) in text, expected


def test_it_lays_out_an_a4_letter(filed: ResultNoticeFiled) -> None:
    document = read(render_docx(filed))

    section = document.sections[0]
    # python-docx stores twips: A4 to within a tenth of a millimetre.
    assert abs(section.page_width.mm - 210) < 0.1
    assert abs(section.page_height.mm - 297) < 0.1
    title, _, addressee, *_ = document.paragraphs
    assert title.alignment == 1  # centred
    assert addressee.text == "四川蜀能电力有限公司："
    signature = [p for p in document.paragraphs if p.text in {"四川省人力资源和社会保障厅", "2026年11月20日"}]
    assert [p.alignment for p in signature] == [2, 2]  # right-aligned
    assert document.core_properties.title == "职业技能考核鉴定机构设立备案办理结果告知书"


def test_it_names_a_chinese_face_for_every_run(supplement: SupplementNotice) -> None:
    document = read(render_docx(supplement))

    runs = [run for p in document.paragraphs for run in p.runs if run.text.strip()]
    assert runs
    for run in runs:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in {"宋体", "仿宋"}, run.text


def test_it_puts_the_document_number_and_page_fields_in_the_footer(supplement: SupplementNotice) -> None:
    footer = read(render_docx(supplement)).sections[0].footer.paragraphs[0]

    assert "文书编号：成人社鉴补〔2026〕0041号" in footer.text
    instructions = [field.get(qn("w:instr")) for field in footer._p.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]
