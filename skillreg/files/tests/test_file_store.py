from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import User
from skillreg.audit.models import AuditEvent
from skillreg.core.errors import InvalidInput
from skillreg.files.models import StoredFile
from skillreg.files.services import clean_name, file_open, file_store
from skillreg.files.sniff import FileKind
from skillreg.files.tests import samples

pytestmark = pytest.mark.django_db


def test_it_stores_a_pdf_under_its_content_hash(bz_official: User, frozen_clock: dt.datetime,
                                                 media_root: Path) -> None:
    content = samples.pdf()
    stored = file_store(actor=bz_official, upload=samples.upload("备案申请书.pdf", content),
                        at=frozen_clock)
    digest = hashlib.sha256(content).hexdigest()
    assert (stored.sha256, stored.size, stored.kind) == (digest, len(content), FileKind.PDF)
    assert stored.original_name == "备案申请书.pdf"
    assert stored.storage_name == f"files/sha256/{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert (stored.uploaded_by, stored.uploaded_at) == (bz_official, frozen_clock)
    assert (media_root / stored.storage_name).read_bytes() == content
    with file_open(stored) as f:
        assert f.read() == content


@pytest.mark.parametrize(("name", "content"), [
    ("照片.jpg", samples.jpeg()), ("照片.png", samples.png()), ("证书.ofd", samples.ofd()),
    ("备案表.docx", samples.docx()), ("设备清单.xlsx", samples.xlsx()),
])
def test_it_stores_every_accepted_kind(bz_official: User, frozen_clock: dt.datetime, name: str,
                                       content: bytes) -> None:
    stored = file_store(actor=bz_official, upload=samples.upload(name, content), at=frozen_clock)
    with file_open(stored) as f:
        assert f.read() == content


def test_it_stores_the_same_content_once_with_a_record_per_upload(
        bz_official: User, wh_official: User, frozen_clock: dt.datetime, media_root: Path) -> None:
    content = samples.docx()
    first = file_store(actor=bz_official, upload=samples.upload("备案表.docx", content), at=frozen_clock)
    later = frozen_clock + dt.timedelta(hours=1)
    second = file_store(actor=wh_official, upload=samples.upload("备案表（终稿）.docx", content), at=later)
    assert first.pk != second.pk and first.public_id != second.public_id
    assert first.storage_name == second.storage_name
    assert second.original_name == "备案表（终稿）.docx" and second.uploaded_by == wh_official
    assert [p for p in media_root.rglob("*") if p.is_file()] == [media_root / first.storage_name]
    events = AuditEvent.objects.filter(action="files.stored").order_by("seq")
    assert [(e.after or {})["deduplicated"] for e in events] == [False, True]


def test_it_records_an_audit_event_in_the_same_transaction(bz_official: User, frozen_clock: dt.datetime) -> None:
    stored = file_store(actor=bz_official, upload=samples.upload("场地.png", samples.png()), at=frozen_clock)
    event = AuditEvent.objects.get(action="files.stored")
    assert event.after is not None
    assert (event.actor, event.at) == (bz_official, frozen_clock)
    assert (event.object_type, event.object_id) == ("files.storedfile", str(stored.public_id))
    assert event.after["sha256"] == stored.sha256 and event.after["kind"] == "png"
    assert event.after["original_name"] == "场地.png"


def test_it_refuses_a_png_named_pdf_and_stores_nothing(bz_official: User, frozen_clock: dt.datetime,
                                                        media_root: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        file_store(actor=bz_official, upload=samples.upload("申请书.pdf", samples.png(), "application/pdf"),
                   at=frozen_clock, field="application_letter")
    assert "PNG" in exc.value.message and exc.value.field == "application_letter"
    assert not StoredFile.objects.exists() and not AuditEvent.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_it_refuses_a_renamed_executable(bz_official: User, frozen_clock: dt.datetime) -> None:
    with pytest.raises(InvalidInput, match="可执行程序"):
        file_store(actor=bz_official, upload=samples.upload("证件照.png", samples.exe(), "image/png"),
                   at=frozen_clock)
    assert not StoredFile.objects.exists()


class _Unreadable(SimpleUploadedFile):
    """An upload that fails the test if anyone reads its content."""

    def read(self, *args: object, **kwargs: object) -> bytes:
        raise AssertionError("the content was read")

    def chunks(self, chunk_size: int | None = None):  # type: ignore[no-untyped-def]
        raise AssertionError("the content was read")


def test_it_refuses_a_too_large_file_before_reading_it(bz_official: User, frozen_clock: dt.datetime) -> None:
    upload = _Unreadable("大文件.pdf", samples.pdf() + b"\n" * 2048)
    with pytest.raises(InvalidInput) as exc:
        file_store(actor=bz_official, upload=upload, max_bytes=1024, at=frozen_clock)
    assert "文件超过 1 KB 上限" in exc.value.message and exc.value.code == "file_too_large"
    assert not StoredFile.objects.exists()


def test_its_default_limit_is_20_mb_and_the_setting_changes_it(bz_official: User, frozen_clock: dt.datetime,
                                                                settings) -> None:  # type: ignore[no-untyped-def]
    if hasattr(settings, "SKILLREG_UPLOAD_MAX_BYTES"):
        del settings.SKILLREG_UPLOAD_MAX_BYTES
    too_big = _Unreadable("大文件.pdf", b"%PDF-")
    too_big.size = 20 * 1024 * 1024 + 1
    with pytest.raises(InvalidInput, match="文件超过 20 MB 上限"):
        file_store(actor=bz_official, upload=too_big, at=frozen_clock)
    settings.SKILLREG_UPLOAD_MAX_BYTES = 256
    with pytest.raises(InvalidInput, match="文件超过 256 字节 上限"):
        file_store(actor=bz_official, upload=samples.upload("申请书.pdf", samples.pdf()), at=frozen_clock)


def test_it_does_not_trust_a_declared_size_smaller_than_the_content(bz_official: User,
                                                                    frozen_clock: dt.datetime) -> None:
    upload = samples.upload("申请书.pdf", samples.pdf())
    upload.size = 10
    with pytest.raises(InvalidInput, match="上限"):
        file_store(actor=bz_official, upload=upload, max_bytes=100, at=frozen_clock)
    assert not StoredFile.objects.exists()


def test_it_refuses_an_empty_file(bz_official: User, frozen_clock: dt.datetime) -> None:
    with pytest.raises(InvalidInput, match="空文件"):
        file_store(actor=bz_official, upload=samples.upload("申请书.pdf", b""), at=frozen_clock)


def test_it_refuses_a_zip_bomb(bz_official: User, frozen_clock: dt.datetime) -> None:
    with pytest.raises(InvalidInput, match="压缩炸弹"):
        file_store(actor=bz_official, upload=samples.upload("备案表.docx", samples.many_members(3000)),
                   at=frozen_clock)
    assert not StoredFile.objects.exists()


def test_it_keeps_only_the_base_name_of_what_the_client_sent(bz_official: User, frozen_clock: dt.datetime) -> None:
    upload = samples.upload("x.pdf", samples.pdf())
    upload.name = "C:\\fakepath\\..\\备案\\申请书.pdf"  # the constructor would already strip it
    stored = file_store(actor=bz_official, upload=upload, at=frozen_clock)
    assert stored.original_name == "申请书.pdf"


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a/b\\c:d.pdf", "cd.pdf"),
    ("申请书\x00\r\n.pdf", "申请书.pdf"),
    ("  报告（终稿）.docx  ", "报告（终稿）.docx"),
    ("..", ""),
])
def test_it_sanitises_names(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_it_replaces_a_truncated_stored_copy(bz_official: User, frozen_clock: dt.datetime,
                                             media_root: Path) -> None:
    content = samples.pdf()
    first = file_store(actor=bz_official, upload=samples.upload("a.pdf", content), at=frozen_clock)
    (media_root / first.storage_name).write_bytes(content[:10])
    file_store(actor=bz_official, upload=samples.upload("b.pdf", content), at=frozen_clock)
    assert (media_root / first.storage_name).read_bytes() == content
    assert default_storage.exists(first.storage_name)
