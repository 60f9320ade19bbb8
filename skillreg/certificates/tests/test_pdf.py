"""The certificate PDF: Chinese text with the embedded font, and a QR code that decodes to the
public verification page of its number."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from skillreg.accounts.models import User
from skillreg.certificates.links import verify_url
from skillreg.certificates.models import Certificate
from skillreg.certificates.pdf import render_certificate_pdf
from skillreg.certificates.tests.conftest import make_id
from skillreg.documents.tests.conftest import run, squash, tool

pytestmark = pytest.mark.django_db

SITE = "https://skillreg.example.gov.cn"


@pytest.fixture
def cert(nm_user: User, issue: Callable[..., list[Certificate]]) -> Certificate:
    return issue(nm_user, holders=[("欧阳娜娜", make_id("150302", "19950607", 8))], level=3)[0]


@pytest.fixture
def pdf(settings, cert: Certificate) -> bytes:  # type: ignore[no-untyped-def]
    settings.SKILLREG_SITE_URL = SITE
    return render_certificate_pdf(cert, verify_url=verify_url(cert.number))


def test_the_pdf_carries_the_holder_id_occupation_level_number_body_and_date(pdf: bytes, cert: Certificate) -> None:
    text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for expected in ("职业技能等级证书", "欧阳娜娜", cert.id_number, "电工", "高级（3级）", cert.number,
                     "乌海市技能评价服务中心", "2026年11月20日", "扫码查验证书真伪"):
        assert squash(expected) in text, expected


def test_the_pdf_embeds_its_cjk_font(pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    rows = run(tool("pdffonts"), path).splitlines()[2:]
    assert rows, "the PDF names no font"
    for row in rows:  # name type encoding emb sub uni object-id generation
        assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+$", row), f"font not embedded as a subset: {row}"


def test_the_qr_code_decodes_to_the_verification_page(pdf: bytes, cert: Certificate, tmp_path: Path) -> None:
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    run(tool("pdftoppm"), "-r", "150", "-png", "-singlefile", path, tmp_path / "cert")
    png = tmp_path / "cert.png"
    assert png.stat().st_size > 0
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg not installed (Debian package zbar-tools): the QR code is not decoded here")
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)],  # noqa: S603
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == f"{SITE}/certificates/verify/?number={cert.number}"
