from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.test import RequestFactory

from skillreg.accounts.models import User
from skillreg.files.services import file_store
from skillreg.files.tests import samples
from skillreg.files.views import content_disposition, serve_stored_file

pytestmark = pytest.mark.django_db


def _filename_star(header: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", header)
    assert match, header
    return unquote(match.group(1), encoding="utf-8")


def test_it_sends_the_file_as_an_attachment_under_its_chinese_name(bz_official: User,
                                                                  frozen_clock: dt.datetime) -> None:
    name = "巴中市职业技能考核鉴定所（站）备案表 2026.docx"
    content = samples.docx()
    stored = file_store(actor=bz_official, upload=samples.upload(name, content), at=frozen_clock)
    response = serve_stored_file(RequestFactory().get("/"), stored)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.isascii()
    assert _filename_star(disposition) == name
    assert 'filename="' in disposition and disposition.split('"')[1].endswith(".docx")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    assert response.getvalue() == content
    response.close()


def test_it_takes_the_type_from_the_content_not_the_browser(bz_official: User, frozen_clock: dt.datetime) -> None:
    stored = file_store(actor=bz_official, upload=samples.upload("照片.jpg", samples.jpeg(), "text/html"),
                        at=frozen_clock)
    response = serve_stored_file(RequestFactory().get("/"), stored)
    assert response["Content-Type"] == "image/jpeg"
    response.close()


@pytest.mark.parametrize("name", ['a"b;c.pdf', "100%合格.pdf", "报告 final.pdf", "readme"])
def test_its_disposition_header_round_trips_awkward_names(name: str) -> None:
    header = content_disposition(name)
    assert header.isascii()
    assert _filename_star(header) == name
    assert header.count('"') == 2
