"""Lay a ``Letter`` out as an A4 DOCX (python-docx), the editable twin of the PDF.

The DOCX names the faces every Chinese Windows and WPS install has (宋体 for the title,
仿宋 for the text, GB/T 9704-2012 3.2 / 7.2) through the East Asian font slot, which is
what Word reads for Chinese characters; the PDF is the copy with the font embedded.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from skillreg.documents.letter import Block, Letter, Table
from skillreg.documents.notices import Notice

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(11.5)
FOOTER_SIZE = Pt(9)
LINE = Pt(28)


def _east_asian(target: Run | ParagraphStyle, face: str, size: Pt, *, bold: bool = False) -> None:
    font = target.font
    font.name = LATIN_FONT
    font.size = size
    font.bold = bold
    # python-docx sets only the Latin slots; Chinese characters use w:eastAsia.
    r_pr = target.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), face)


def _paragraph(
    container: DocxDocument | _Cell,
    text: str,
    *,
    face: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    indent: bool = False,
    right_indent: bool = False,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = LINE if size == BODY_SIZE else None
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if right_indent:
        fmt.right_indent = Pt(size.pt * 2)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        _east_asian(run, face, size, bold=bold)
        if number < len(lines) - 1:
            run.add_break()
    return paragraph


def _field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table(document: DocxDocument, table: Table, text_width: Mm) -> None:
    rows = ([table.header] if table.header else []) + list(table.rows)
    result = document.add_table(rows=len(rows), cols=len(table.widths))
    result.style = "Table Grid"
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(table.widths)
    for row_index, row in enumerate(rows):
        for col_index, value in enumerate(row):
            cell = result.cell(row_index, col_index)
            cell.width = int(text_width * table.widths[col_index] / total)
            header = bool(table.header) and row_index == 0
            centred = header or col_index in table.centred
            align = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            # A new cell holds one empty paragraph: write into it rather than after it.
            cell._tc.remove(cell.paragraphs[0]._p)
            _paragraph(cell, value, size=TABLE_SIZE, bold=header, align=align)


def _blocks(document: DocxDocument, blocks: tuple[Block, ...], text_width: Mm) -> None:
    for block in blocks:
        if isinstance(block, Table):
            _table(document, block, text_width)
        else:
            _paragraph(document, block, indent=True)


def render_letter_docx(letter: Letter) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.top_margin, section.bottom_margin = Mm(30), Mm(30)
    section.footer_distance = Mm(15)
    text_width = Mm(210 - 28 - 26)
    _east_asian(document.styles["Normal"], BODY_FONT, BODY_SIZE)  # type: ignore[arg-type]

    props = document.core_properties
    props.title, props.author, props.subject = letter.plain_title, letter.authority, letter.doc_number

    _paragraph(document, letter.title, face=TITLE_FONT, size=TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "")
    _paragraph(document, letter.addressee)
    _blocks(document, letter.body, text_width)
    _paragraph(document, "")
    _paragraph(document, "")
    _paragraph(document, letter.authority, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=True)
    _paragraph(document, letter.date, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=True)
    if letter.notes:
        _paragraph(document, "")
        for note in letter.notes:
            _paragraph(document, note, size=Pt(12))
    if letter.annex_title or letter.annex:
        # The receipt is a page of its own, as in the PDF.
        document.add_page_break()
        _paragraph(
            document, letter.annex_title, face=TITLE_FONT, size=TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
        )
        _paragraph(document, "")
        _blocks(document, letter.annex, text_width)

    footer = section.footer.paragraphs[0]
    footer.text = ""
    _east_asian(footer.add_run(f"{letter.verification_line}　　第 "), BODY_FONT, FOOTER_SIZE)
    _field(footer, "PAGE")
    _east_asian(footer.add_run(" 页 共 "), BODY_FONT, FOOTER_SIZE)
    _field(footer, "NUMPAGES")
    _east_asian(footer.add_run(" 页"), BODY_FONT, FOOTER_SIZE)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_docx(doc: Notice) -> bytes:
    """The notice as an A4 DOCX."""
    return render_letter_docx(doc.to_letter())
