"""Exports of the public directory's current filtered result: CSV, XLSX, JSON.

Each export is capped at ``EXPORT_LIMIT`` rows; the cap, the total and whether the file was
cut short are stated in the response headers, in the XLSX's 说明 sheet and in the JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from skillreg.core import clock
from skillreg.core.spreadsheet import safe_cell
from skillreg.registry.models import DirectoryEntry
from skillreg.registry.public_selectors import DirectoryQuery, public_item, scope_text

EXPORT_LIMIT = 10_000
FORMATS = ("csv", "xlsx", "json")

# (header, how to read it from a public item). A cell the pack does not publish stays empty.
COLUMNS: list[tuple[str, Any]] = [
    ("机构名称", lambda i: i.get("name", "")),
    ("机构代码", lambda i: i.get("code") or ""),
    ("所在地行政区划代码", lambda i: i.get("region_code", "")),
    ("单位类别", lambda i: i.get("body_kind_label", "")),
    ("地址", lambda i: i.get("address", "")),
    ("负责人", lambda i: i.get("head", "")),
    ("联系电话", lambda i: i.get("contact", "")),
    ("职业（工种）/项目及等级", lambda i: scope_text(i.get("scope", []))),
    ("备案有效期至", lambda i: i.get("valid_until") or ""),
    ("状态", lambda i: i.get("status_label", "")),
    ("备案部门", lambda i: i.get("authority", "")),
    ("公布版本", lambda i: i.get("version", "")),
]
HEADERS = [header for header, _ in COLUMNS]
CAP_NOTE = f"每次导出最多 {EXPORT_LIMIT} 条，超出部分请缩小查询条件后分批导出。"




def _rows(entries: Iterable[DirectoryEntry]) -> Iterator[list[Any]]:
    for entry in entries:
        item = public_item(entry)
        yield [safe_cell(read(item)) for _, read in COLUMNS]


def _capped(qs: QuerySet[DirectoryEntry]) -> Iterator[DirectoryEntry]:
    return qs[:EXPORT_LIMIT].iterator(chunk_size=1000)


def _filename(fmt: str) -> str:
    return f"考核评价机构目录_{clock.today():%Y-%m-%d}.{fmt}"


def _stamp(response: HttpResponse | StreamingHttpResponse, fmt: str, total: int) -> None:
    response["Content-Disposition"] = content_disposition_header(True, _filename(fmt))
    response["X-Total-Count"] = str(total)
    response["X-Export-Limit"] = str(EXPORT_LIMIT)
    response["X-Export-Truncated"] = "1" if total > EXPORT_LIMIT else "0"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def export_csv(qs: QuerySet[DirectoryEntry], *, total: int) -> StreamingHttpResponse:
    """UTF-8 with a BOM so that Excel opens the Chinese text correctly; streamed row by row."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(HEADERS)
        for row in _rows(_capped(qs)):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    _stamp(response, "csv", total)
    return response


def export_xlsx(qs: QuerySet[DirectoryEntry], *, total: int, query: DirectoryQuery) -> HttpResponse:
    from openpyxl import Workbook  # imported here: only exports need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("机构目录")
    for column, width in zip("ABCDEFGHIJKL", (36, 20, 12, 16, 36, 10, 16, 48, 14, 10, 28, 8), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(HEADERS)
    exported = 0
    for row in _rows(_capped(qs)):
        sheet.append(row)
        exported += 1
    notes = book.create_sheet("说明")
    notes.append(["导出时间", f"{clock.local_now():%Y-%m-%d %H:%M}"])
    notes.append(["查询条件", "；".join(f"{k}={v}" for k, v in query.as_params().items()) or "全部"])
    notes.append(["符合条件", total])
    notes.append(["本次导出", exported])
    notes.append(["导出上限", CAP_NOTE])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    _stamp(response, "xlsx", total)
    return response


def export_json(qs: QuerySet[DirectoryEntry], *, total: int, query: DirectoryQuery) -> HttpResponse:
    items = [public_item(entry) for entry in _capped(qs)]
    body = {
        "exported_at": clock.now(),
        "filters": query.as_params(),
        "total": total,
        "count": len(items),
        "limit": EXPORT_LIMIT,
        "truncated": total > EXPORT_LIMIT,
        "note": CAP_NOTE,
        "items": items,
    }
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    _stamp(response, "json", total)
    return response


def export(fmt: str, qs: QuerySet[DirectoryEntry], *, query: DirectoryQuery) -> HttpResponse | StreamingHttpResponse:
    total = qs.count()
    if fmt == "csv":
        return export_csv(qs, total=total)
    if fmt == "xlsx":
        return export_xlsx(qs, total=total, query=query)
    return export_json(qs, total=total, query=query)
