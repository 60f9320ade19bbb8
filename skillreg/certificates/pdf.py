"""The certificate as a one-page PDF: the holder, the ID number, what and at which level,
the number, the issuing body, the date, and a QR code that opens the public verification.

The layout is this system's own (003 四(七) refers to a national 参考样式 that is not among
the documents). Chinese is drawn with the embedded CJK font of skillreg.documents; the QR
code is drawn as vector squares (segno computes the modules), so it stays sharp at any
print resolution.
"""

from __future__ import annotations

import io

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from skillreg.certificates.models import Certificate
from skillreg.documents.fonts import cjk_font_name
from skillreg.documents.letter import chinese_date

QR_SIZE = 42 * mm


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * module, top, module, module, stroke=0, fill=1)
    canvas.restoreState()


def render_certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    """``verify_url``: the absolute address of the public verification page for this number."""
    font = cjk_font_name()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    title = cert.get_kind_display()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=font)
    canvas.setTitle(f"{title} {cert.number}")
    canvas.setAuthor(cert.issuer_name)
    canvas.setSubject(cert.number)
    canvas.setCreator("skillreg")

    # Double frame.
    canvas.setStrokeColor(colors.HexColor("#8B1A1A"))
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    canvas.setFillColor(colors.HexColor("#8B1A1A"))
    canvas.setFont(font, 34)
    canvas.drawCentredString(width / 2, height - 48 * mm, title)
    canvas.setFillColor(colors.black)

    rows = [
        ("姓　　名", cert.holder_name),
        ("身份证号", cert.id_number),
        ("职业（工种）" if cert.level else "考核项目", cert.occupation),
    ]
    if cert.level:
        rows.append(("等　　级", f"{cert.level_label}（{cert.level}级）"))
    rows += [
        ("证书编号", cert.number),
        ("发证机构", cert.issuer_name),
        ("发证日期", chinese_date(cert.issued_on)),
    ]
    label_x, value_x = 40 * mm, 80 * mm
    y = height - 75 * mm
    for label, value in rows:
        canvas.setFont(font, 15)
        canvas.drawString(label_x, y, f"{label}：")
        canvas.setFont(font, 16)
        canvas.drawString(value_x, y, value)
        y -= 13 * mm

    qr_x, qr_y = width - 30 * mm - QR_SIZE, 28 * mm
    _draw_qr(canvas, verify_url, qr_x, qr_y, QR_SIZE)
    canvas.setFont(font, 10)
    canvas.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 5 * mm, "扫码查验证书真伪")
    canvas.setFont(font, 9)
    canvas.setFillColor(colors.HexColor("#444444"))
    canvas.drawString(30 * mm, 24 * mm, f"查验地址：{verify_url}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
