from __future__ import annotations

import io

import pytest

from skillreg.core.errors import InvalidInput
from skillreg.files import sniff
from skillreg.files.sniff import FileKind, UnsafeArchive, check, detect
from skillreg.files.tests import samples

ACCEPTED = "PDF、JPEG、PNG、OFD、DOCX、XLSX"


@pytest.mark.parametrize(("content", "kind"), [
    (samples.pdf(), FileKind.PDF),
    (samples.jpeg(), FileKind.JPEG),
    (samples.png(), FileKind.PNG),
    (samples.ofd(), FileKind.OFD),
    (samples.docx(), FileKind.DOCX),
    (samples.xlsx(), FileKind.XLSX),
])
def test_it_recognises_each_accepted_kind_from_bytes_and_from_a_file(content: bytes, kind: FileKind) -> None:
    assert detect(content) == kind
    f = io.BytesIO(b"junk" + content)
    f.seek(4)
    assert detect(f) == kind
    assert f.tell() == 4, "the caller's position is restored"


@pytest.mark.parametrize("content", [
    b"", b"hello, this is not a PDF\n", "纯文本的申请说明".encode(), samples.exe(), samples.legacy_doc(),
    samples.plain_zip(), b"<!DOCTYPE html><html></html>", b"GIF89a\x01\x00", b"PK\x03\x04broken",
])
def test_it_recognises_nothing_else(content: bytes) -> None:
    assert detect(content) is None


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("申请书.pdf", samples.pdf(), FileKind.PDF),
    ("营业执照.JPG", samples.jpeg(), FileKind.JPEG),
    ("照片.jpeg", samples.jpeg(), FileKind.JPEG),
    ("场地.png", samples.png(), FileKind.PNG),
    ("证书.ofd", samples.ofd(), FileKind.OFD),
    ("备案表.docx", samples.docx(), FileKind.DOCX),
    ("设备清单.xlsx", samples.xlsx(), FileKind.XLSX),
])
def test_it_accepts_a_file_whose_name_agrees_with_its_content(name: str, content: bytes, kind: FileKind) -> None:
    assert check(content, name=name) == kind


def test_it_refuses_a_text_file_named_pdf_saying_what_it_is() -> None:
    with pytest.raises(InvalidInput) as exc:
        check(b"%%PDF? no, just text\n", name="材料.pdf", field="material")
    assert "纯文本" in exc.value.message and ACCEPTED in exc.value.message
    assert exc.value.field == "material"


def test_it_refuses_an_executable_renamed_png() -> None:
    with pytest.raises(InvalidInput) as exc:
        check(samples.exe(), name="photo.png")
    assert "可执行程序" in exc.value.message and ACCEPTED in exc.value.message


def test_it_refuses_a_png_named_pdf_saying_the_content_is_png() -> None:
    with pytest.raises(InvalidInput) as exc:
        check(samples.png(), name="申请书.pdf")
    assert exc.value.code == "file_extension_mismatch"
    assert "扩展名为 .pdf" in exc.value.message and "PNG 图片" in exc.value.message
    assert ".png" in exc.value.message


def test_it_refuses_a_file_without_extension() -> None:
    with pytest.raises(InvalidInput, match="没有扩展名"):
        check(samples.pdf(), name="申请书")


def test_it_refuses_a_plain_zip_and_a_legacy_doc() -> None:
    with pytest.raises(InvalidInput, match="普通 ZIP 压缩包"):
        check(samples.plain_zip(), name="材料.docx")
    with pytest.raises(InvalidInput, match="旧版 Office 文档"):
        check(samples.legacy_doc(), name="备案表.doc")


def test_it_refuses_an_accepted_kind_the_caller_does_not_allow() -> None:
    with pytest.raises(InvalidInput) as exc:
        check(samples.png(), name="照片.png", allowed_kinds={FileKind.PDF, FileKind.OFD})
    assert exc.value.code == "file_kind_not_allowed"
    assert "PNG 图片" in exc.value.message and "PDF、OFD" in exc.value.message


def test_it_refuses_a_zip_bomb_by_its_declared_size_without_inflating_it() -> None:
    bomb = samples.zip_bomb(sniff.ZIP_MAX_UNCOMPRESSED + sniff.MB)
    assert len(bomb) < 2 * sniff.MB
    with pytest.raises(UnsafeArchive) as exc:
        check(bomb, name="备案表.docx", field="material")
    assert "压缩炸弹" in exc.value.message and "200 MB" in exc.value.message
    assert exc.value.field == "material"


def test_it_refuses_an_archive_with_an_absurd_number_of_members() -> None:
    with pytest.raises(UnsafeArchive, match="2002 个文件"):
        detect(samples.many_members(sniff.ZIP_MAX_MEMBERS))


def test_it_formats_limits_as_people_read_them() -> None:
    assert sniff.format_size(20 * sniff.MB) == "20 MB"
    assert sniff.format_size(512 * 1024) == "512 KB"
    assert sniff.format_size(1000) == "1000 字节"
