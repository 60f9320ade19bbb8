"""Logs are JSON lines with the request id; no ID number or password is ever written
(issue 9, Deployment and data)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

ID_NUMBER = "51190219900307451X"  # the shape of a 身份证号码 (made up)


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING, with its filters) writes."""
    handler = next(h for h in logging.getLogger("skillreg").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_an_id_number_in_a_message_is_masked(console: io.StringIO) -> None:
    logging.getLogger("skillreg.exams").warning("考生 %s 的报名材料不全", ID_NUMBER)
    line = console.getvalue()
    assert ID_NUMBER not in line
    assert _lines(console)[0]["message"] == "考生 511902********451X 的报名材料不全"


def test_an_id_number_in_a_structured_field_or_traceback_is_masked(console: io.StringIO) -> None:
    try:
        raise ValueError(f"重复的身份证号码 {ID_NUMBER.lower()}")
    except ValueError:
        logging.getLogger("skillreg.exams").exception("导入失败", extra={"row": {"id_number": ID_NUMBER}})
    text = console.getvalue()
    assert ID_NUMBER not in text and ID_NUMBER.lower() not in text
    entry = _lines(console)[0]
    assert entry["row"]["id_number"] == "511902********451X"
    assert "511902********451x" in entry["exception"]


def test_passwords_never_reach_the_log(console: io.StringIO) -> None:
    logging.getLogger("skillreg.accounts").info(
        "login form username=wang password=S3cret-Pass", extra={"password": "S3cret-Pass", "username": "wang"})
    entry = _lines(console)[0]
    assert "S3cret-Pass" not in console.getvalue()
    assert entry["password"] == "[已移除]" and entry["username"] == "wang"


def test_longer_digit_runs_are_not_mistaken_for_id_numbers(console: io.StringIO) -> None:
    logging.getLogger("skillreg.x").info("订单号 %s", "6222021234567890123")  # 19 digits
    assert "6222021234567890123" in console.getvalue()


@pytest.mark.django_db
def test_each_request_is_logged_as_json_with_its_request_id(console: io.StringIO) -> None:
    response = Client().get("/directory/", {"q": ID_NUMBER})
    entries = [e for e in _lines(console) if e.get("event") == "request"]
    assert entries[-1]["request_id"] == response["X-Request-ID"]
    assert entries[-1]["path"] == "/directory/" and entries[-1]["status"] == 200
    assert ID_NUMBER not in console.getvalue()  # the query string is never logged


@pytest.mark.django_db
def test_djangos_own_warning_for_a_refused_request_does_not_write_the_query_string_unmasked(
        console: io.StringIO) -> None:
    # django.request logs every 4xx with the request object as an extra field; its text is
    # "<WSGIRequest: GET '/…?id_number=…'>", which the filter must mask like any other text.
    response = Client().get("/api/v1/public/certificates/verify", {"id_number": ID_NUMBER, "name": "王某"})
    assert response.status_code == 404
    warnings = [e for e in _lines(console) if e["logger"] == "django.request"]
    assert warnings and "511902********451X" in warnings[-1]["request"]
    assert ID_NUMBER not in console.getvalue()
