"""The PDF: Chinese text extractable, the font embedded, glyphs on the page, a verification footer."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from skillreg.documents.fonts import cjk_font_name
from skillreg.documents.letter import Table
from skillreg.documents.notices import (
    Notice,
    ResultNoticeFiled,
    ResultNoticeTerminated,
    SupplementItem,
    SupplementNotice,
)
from skillreg.documents.pdf import render_pdf
from skillreg.documents.tests.conftest import key_strings, run, squash, tool


def pages_text(pdf: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_it_renders_an_a4_pdf_with_the_chinese_text(notice: Notice) -> None:
    pdf = render_pdf(notice)

    reader = PdfReader(io.BytesIO(pdf))
    assert pdf.startswith(b"%PDF-")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "".join(pages_text(pdf))
    for expected in key_strings(notice):
        assert squash(expected) in text, expected


def test_it_puts_the_verification_footer_on_every_page(filed: ResultNoticeFiled) -> None:
    texts = pages_text(render_pdf(filed))

    assert len(texts) == 2  # the letter, then the 备案回执
    for number, text in enumerate(texts, start=1):
        assert "文书编号：川人社鉴备〔2026〕0012号" in text
        assert "核验地址：http://skillreg.example/verify/" in text
        assert f"第{number}页共2页" in text


def test_it_embeds_the_cjk_font_and_no_other(notice: Notice, tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_pdf(notice))

    rows = run(tool("pdffonts"), path).splitlines()[2:]

    assert rows, "the PDF names no font"
    for row in rows:
        # name type encoding emb sub uni object-id generation
        assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+$", row), f"font not embedded as a subset: {row}"


def test_it_draws_glyphs_where_the_text_is(terminated: ResultNoticeTerminated, tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_pdf(terminated))

    run(tool("pdftoppm"), "-r", "50", "-png", "-singlefile", path, tmp_path / "page")
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size

    def dark_share(box: tuple[float, float, float, float], threshold: int = 128) -> float:
        left, top, right, bottom = box
        region = image.crop((int(left * width), int(top * height), int(right * width), int(bottom * height)))
        histogram = region.histogram()
        return sum(histogram[:threshold]) / sum(histogram)

    # Boxes are fractions of the page (left, top, right, bottom), measured on this layout.
    assert dark_share((0.20, 0.09, 0.80, 0.18)) > 0.02, "no title"
    assert dark_share((0.00, 0.09, 0.20, 0.18)) == dark_share((0.80, 0.09, 1.00, 0.18)) == 0, "title not centred"
    assert dark_share((0.13, 0.23, 0.87, 0.37)) > 0.02, "no body text"
    assert dark_share((0.45, 0.41, 0.85, 0.48)) > 0.01, "no signature"
    assert dark_share((0.00, 0.40, 0.42, 0.48)) == 0, "signature not right-aligned"
    assert dark_share((0.00, 0.00, 1.00, 0.08)) == 0, "top margin not blank"
    # The footer is small grey type, anti-aliased to mid-grey at this resolution.
    assert dark_share((0.13, 0.90, 0.87, 0.96), threshold=220) > 0.005, "no footer"


def test_it_produces_the_same_bytes_for_the_same_notice(supplement: SupplementNotice) -> None:
    assert render_pdf(supplement) == render_pdf(supplement)


def test_it_prints_what_the_applicant_typed_literally(terminated: ResultNoticeTerminated) -> None:
    notice = dataclasses.replace(terminated, applicant="A&B<培训>学校", reason="材料<缺失>&不实")

    text = "".join(pages_text(render_pdf(notice)))

    assert "A&B<培训>学校：" in text
    assert "因材料<缺失>&不实，" in text


def test_a_long_supplement_list_flows_onto_more_pages(supplement: SupplementNotice) -> None:
    items = tuple(SupplementItem(f"材料{n}", f"001 附件{n}", "缺失") for n in range(1, 41))
    pdf = render_pdf(dataclasses.replace(supplement, items=items))

    texts = pages_text(pdf)
    assert len(texts) > 1
    assert "材料40" in "".join(texts)
    assert all(f"共{len(texts)}页" in text for text in texts)


def test_the_font_has_a_glyph_for_every_character(notice: Notice) -> None:
    # A character missing from the font prints as an empty box (tofu) however well it embeds.
    font = pdfmetrics.getFont(cjk_font_name())
    letter = notice.to_letter()
    texts = [
        letter.title,
        letter.addressee,
        letter.authority,
        letter.date,
        letter.annex_title,
        letter.verification_line,
    ]
    texts += list(letter.notes)
    for block in (*letter.body, *letter.annex):
        texts += [cell for row in (block.header, *block.rows) for cell in row] if isinstance(block, Table) else [block]

    missing = {ch for text in texts for ch in text if ch.strip() and ord(ch) not in font.face.charToGlyph}

    assert not missing, f"no glyph for {sorted(missing)}"
