"""Exports of the filtered directory: CSV with a BOM, XLSX, JSON; capped and dated."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import unquote

import pytest
from django.test import Client
from openpyxl import load_workbook

from skillreg.accounts.models import Authority
from skillreg.registry import exports
from skillreg.registry.tests.test_directory import LEGAL_REP, filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(bazhong: Authority, chengdu: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902", scope=[("电工", (5, 4))])
    filed("巴中市焊接职业技能考核鉴定所", bazhong, region_code="511902", scope=[("焊工", (5,))])
    filed("成都市电工技能评价中心", chengdu, region_code="510104", scope=[("电工", (5,))])


def test_csv_has_a_bom_chinese_headers_and_the_filtered_rows(three: None) -> None:
    response = Client().get("/directory/export.csv", {"occupation": "电工"})
    assert response.status_code == 200
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == exports.HEADERS
    assert rows[0][:2] == ["机构名称", "机构代码"]
    assert [r[0] for r in rows[1:]] == ["成都市电工技能评价中心", "巴中市电力职业技能考核鉴定所"]
    assert rows[2][7] == "电工（初级、中级）"
    assert response["Content-Type"].startswith("text/csv")
    disposition = unquote(response["Content-Disposition"])
    assert "考核评价机构目录_2026-11-20.csv" in disposition
    assert response["X-Total-Count"] == "2"


def test_xlsx_opens_with_openpyxl_and_has_the_rows(three: None) -> None:
    response = Client().get("/directory/export.xlsx", {"q": "巴中"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["机构目录"].iter_rows(values_only=True))
    assert list(rows[0]) == exports.HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["巴中市焊接职业技能考核鉴定所", "巴中市电力职业技能考核鉴定所"]
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["符合条件"] == 2 and "10000" in notes["导出上限"]
    assert "2026-11-20.xlsx" in unquote(response["Content-Disposition"])


def test_json_parses_and_says_how_many_of_how_many(three: None) -> None:
    response = Client().get("/directory/export.json", {"region": "5101"})
    body = json.loads(response.content)
    assert body["total"] == body["count"] == 1
    assert body["limit"] == exports.EXPORT_LIMIT and body["truncated"] is False
    assert body["filters"] == {"region": "5101"}
    assert body["items"][0]["name"] == "成都市电工技能评价中心"


def test_no_export_carries_private_fields(three: None) -> None:
    for fmt in ("csv", "json"):
        response = Client().get(f"/directory/export.{fmt}")
        text = (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8-sig")
        for secret in ("credit_code", "legal_representative", LEGAL_REP, "统一社会信用代码", "0827-5260000"):
            assert secret not in text


def test_an_export_stops_at_the_cap_and_says_so(three: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    response = Client().get("/directory/export.csv")
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()) == 1 + 2
    assert response["X-Export-Truncated"] == "1" and response["X-Total-Count"] == "3"
    body = json.loads(Client().get("/directory/export.json").content)
    assert body["truncated"] is True and body["count"] == 2 and body["total"] == 3


def test_an_unknown_format_is_404_and_bad_filters_are_400(three: None) -> None:
    assert Client().get("/directory/export.pdf").status_code == 404
    bad = Client().get("/directory/export.csv", {"level": "9"})
    assert bad.status_code == 400
    assert "等级" in bad.content.decode()


def test_a_name_starting_with_a_formula_sign_is_not_run_by_a_spreadsheet(bazhong: Authority) -> None:
    filed("=HYPERLINK(\"x\")评价站", bazhong)
    raw = b"".join(Client().get("/directory/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in raw
