from __future__ import annotations

import io
import json

import pytest

from skillreg.notifications.backends import DEFAULT_SMS_BACKEND, get_sms_backend
from skillreg.notifications.backends.base import BaseSmsBackend, SmsMessage
from skillreg.notifications.backends.sms import ConsoleSmsBackend, FileSmsBackend, LocmemSmsBackend
from skillreg.notifications.masking import mask_number, mask_text, normalize_mobile
from skillreg.notifications.tests.conftest import MASKED, MOBILE

MESSAGE = SmsMessage(to=MOBILE, body="补正通知：请于5个工作日内补正。", reference="abc")


def test_the_backend_is_chosen_by_its_dotted_path(settings):
    assert isinstance(get_sms_backend(), LocmemSmsBackend)
    del settings.SKILLREG_SMS_BACKEND
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)
    assert DEFAULT_SMS_BACKEND == "skillreg.notifications.backends.sms.ConsoleSmsBackend"


def test_the_console_backend_masks_the_number():
    stream = io.StringIO()
    assert ConsoleSmsBackend(stream=stream).send_messages([MESSAGE]) == 1
    out = stream.getvalue()
    assert MASKED in out and MOBILE not in out
    assert "请于5个工作日内补正" in out


def test_the_file_backend_writes_one_json_line_per_message(settings, tmp_path, frozen_clock):
    backend = get_sms_backend("skillreg.notifications.backends.sms.FileSmsBackend")
    assert backend.send_messages([MESSAGE, MESSAGE]) == 2
    [path] = (tmp_path / "sms").iterdir()
    assert path.name == "sms-20261120.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2
    assert lines[0] == {"at": frozen_clock.isoformat(), "to": MASKED,
                        "body": "补正通知：请于5个工作日内补正。", "reference": "abc"}
    assert MOBILE not in path.read_text(encoding="utf-8")


def test_the_file_backend_takes_its_directory_as_an_argument(tmp_path):
    FileSmsBackend(file_path=tmp_path / "elsewhere").send_messages([MESSAGE])
    assert len(list((tmp_path / "elsewhere").iterdir())) == 1


def test_the_locmem_backend_keeps_the_full_message(sms_outbox):
    with get_sms_backend() as backend:
        backend.send_messages([MESSAGE])
    assert sms_outbox == [MESSAGE]


def test_a_backend_must_implement_send_messages():
    with pytest.raises(NotImplementedError):
        BaseSmsBackend().send_messages([MESSAGE])


@pytest.mark.parametrize(("raw", "expected"), [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("0827-5260000", None), ("12812345678", None), ("", None),
])
def test_normalize_mobile(raw, expected):
    assert normalize_mobile(raw) == expected


def test_masking():
    assert mask_number(MOBILE) == MASKED
    assert mask_number("511902199001011234") == "511***********1234"
    assert mask_text(f"拒绝 {MOBILE}，身份证 51190219900101123X") == "拒绝 138****5678，身份证 511***********123X"
