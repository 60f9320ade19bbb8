"""Lay a ``Letter`` out as an A4 PDF with the CJK font embedded (subset) in the file.

The layout follows GB/T 9704-2012 loosely: 二号 title centred, 三号 body with a two-character
indent, the issuing authority and the date right-aligned at the end, and on every page a
footer with the document number for verification.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable
from reportlab.platypus.flowables import Flowable

from skillreg.documents.fonts import cjk_font_name
from skillreg.documents.letter import Block, Letter, Table
from skillreg.documents.notices import Notice

# GB/T 9704-2012 5.2.1: margins of 37 mm top, 28 mm left, 26 mm right (35 mm bottom); a little
# less at top and bottom here to leave room for the verification footer.
LEFT_MARGIN = 28 * mm
RIGHT_MARGIN = 26 * mm
TOP_MARGIN = 30 * mm
BOTTOM_MARGIN = 30 * mm
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
TABLE_SIZE = 11.5
FOOTER_SIZE = 9


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.75, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5, alignment=TA_CENTER, spaceAfter=20
        ),
        "addressee": ParagraphStyle("addressee", parent=base, alignment=TA_LEFT),
        "body": ParagraphStyle("para", parent=base, firstLineIndent=BODY_SIZE * 2),
        "signature": ParagraphStyle("signature", parent=base, alignment=TA_RIGHT, rightIndent=BODY_SIZE * 2),
        "note": ParagraphStyle("note", parent=base, fontSize=12, leading=20),
        "annex_title": ParagraphStyle(
            "annex_title",
            parent=base,
            fontSize=TITLE_SIZE,
            leading=TITLE_SIZE * 1.5,
            alignment=TA_CENTER,
            spaceAfter=20,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.45),
        "cell_centred": ParagraphStyle(
            "cell_centred", parent=base, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.45, alignment=TA_CENTER
        ),
    }


def _text(text: str) -> str:
    # Paragraph takes markup: escape what the caller typed and keep its line breaks.
    return escape(text).replace("\n", "<br/>")


def _table(table: Table, styles: dict[str, ParagraphStyle], width: float) -> RLTable:
    total = sum(table.widths)
    col_widths = [width * part / total for part in table.widths]
    data: list[list[Paragraph]] = []
    if table.header:
        data.append([Paragraph(_text(cell), styles["cell_centred"]) for cell in table.header])
    data += [
        [
            Paragraph(_text(cell), styles["cell_centred" if col in table.centred else "cell"])
            for col, cell in enumerate(row)
        ]
        for row in table.rows
    ]
    result = RLTable(data, colWidths=col_widths, repeatRows=1 if table.header else 0)
    commands: list[tuple[Any, ...]] = [
        # The cells are Paragraphs, but the table still sets its own font: name the embedded one.
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    if table.header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")))
    result.setStyle(TableStyle(commands))
    return result


def _blocks(blocks: tuple[Block, ...], styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    flowables: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Table):
            flowables += [Spacer(1, 4), _table(block, styles, width), Spacer(1, 8)]
        else:
            flowables.append(Paragraph(_text(block), styles["body"]))
    return flowables


def _numbered_canvas(letter: Letter, font: str) -> type[Canvas]:
    """A canvas that draws the footer once the page count is known (第 x 页 共 y 页)."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            width, _ = A4
            y = BOTTOM_MARGIN - 12 * mm
            self.saveState()
            self.setStrokeColor(colors.grey)
            self.setLineWidth(0.5)
            self.line(LEFT_MARGIN, y + 4 * mm, width - RIGHT_MARGIN, y + 4 * mm)
            self.setFont(font, FOOTER_SIZE)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawString(LEFT_MARGIN, y, letter.verification_line)
            self.drawRightString(width - RIGHT_MARGIN, y, f"第 {self._pageNumber} 页 共 {total} 页")
            self.restoreState()

    return FooterCanvas


def render_letter_pdf(letter: Letter) -> bytes:
    font = cjk_font_name()
    styles = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=letter.plain_title,
        author=letter.authority,
        subject=letter.doc_number,
        creator="skillreg",
        # Same data, same bytes: the stored file's hash then identifies the notice.
        invariant=1,
        # Otherwise every page names Helvetica, a font the PDF does not embed.
        initialFontName=font,
    )
    width = doc.width
    story: list[Flowable] = [
        Paragraph(_text(letter.title), styles["title"]),
        Paragraph(_text(letter.addressee), styles["addressee"]),
        *_blocks(letter.body, styles, width),
    ]
    closing: list[Flowable] = [
        Spacer(1, BODY_SIZE * 2.5),
        Paragraph(_text(letter.authority), styles["signature"]),
        Paragraph(_text(letter.date), styles["signature"]),
    ]
    if letter.notes:
        closing.append(Spacer(1, BODY_SIZE))
        closing += [Paragraph(_text(note), styles["note"]) for note in letter.notes]
    # The signature never stands alone at the top of a page.
    story.append(KeepTogether(closing))
    if letter.annex_title or letter.annex:
        # The receipt is a page of its own, so it can be handed over or filed apart from the letter.
        story += [
            PageBreak(),
            Paragraph(_text(letter.annex_title), styles["annex_title"]),
            *_blocks(letter.annex, styles, width),
        ]
    doc.build(story, canvasmaker=_numbered_canvas(letter, font))
    return buffer.getvalue()


def render_pdf(doc: Notice) -> bytes:
    """The notice as an A4 PDF with its Chinese font embedded."""
    return render_letter_pdf(doc.to_letter())
