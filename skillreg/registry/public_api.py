"""/api/v1/public: the public directory, no login (``auth=None`` on every endpoint)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from skillreg.registry import public_selectors as sel

public_router = Router(tags=["公开目录"])


class ErrorOut(Schema):
    code: str
    message: str


class ScopeOut(Schema):
    name: str
    levels: list[str]


class SuspendedOut(Schema):
    name: str
    level: str | None
    since: str | None
    source: str


class EntryOut(Schema):
    """One institution as the directory publishes it: only the pack's public fields."""

    name: str
    code: str | None
    region_code: str
    authority: str
    body_kind: str
    body_kind_label: str
    status: str
    status_label: str
    valid_until: dt.date | None
    scope: list[ScopeOut]
    suspended: list[SuspendedOut] = []
    address: str | None = None  # only where the pack publishes it (001 五(四), 000 二)
    head: str | None = None
    contact: str | None = None
    active: bool
    version: int
    published_at: dt.datetime


class PageIn(Schema):
    limit: int = Field(sel.PAGE_SIZE, ge=1, le=sel.API_MAX_LIMIT, description="每页条数，最大 100")
    offset: int = Field(0, ge=0, description="跳过的条数")


class HistoryIn(Schema):
    on: dt.date | None = Field(None, description="YYYY-MM-DD：只返回当日（北京时间日终）公众所见的版本")


class EntryListOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[EntryOut]


class VersionOut(Schema):
    version: int
    published_at: dt.datetime
    superseded_at: dt.datetime | None
    active: bool
    record: EntryOut


class HistoryOut(Schema):
    code: str
    on: dt.date | None
    versions: list[VersionOut]


def _version(entry: Any) -> dict[str, Any]:
    return {"version": entry.version, "published_at": entry.published_at, "superseded_at": entry.superseded_at,
            "active": entry.active, "record": sel.public_item(entry)}


@public_router.get("/institutions", response=EntryListOut, auth=None, summary="检索公开目录")
def search_institutions(request: HttpRequest, filters: Query[sel.DirectoryQuery],
                        page: Query[PageIn]) -> dict[str, Any]:
    """当前公布的机构（不含草稿、未备案机构和已被替代的版本），按地区、名称排序；limit 最大 100。"""
    qs = sel.directory_search(filters)
    total = qs.count()  # first: how many match decides how the page is fetched (public_selectors)
    window = qs[page.offset:page.offset + page.limit]
    return {"total": total, "limit": page.limit, "offset": page.offset,
            "items": [sel.public_item(entry) for entry in window]}


@public_router.get("/institutions/{code}", response={200: EntryOut, 404: ErrorOut}, auth=None,
                   summary="机构的当前公布内容")
def get_institution(request: HttpRequest, code: str = Path(..., max_length=40)) -> dict[str, Any]:
    return sel.public_item(sel.entry_current(code))


@public_router.get("/institutions/{code}/history", response={200: HistoryOut, 404: ErrorOut}, auth=None,
                   summary="机构的全部公布版本")
def get_history(request: HttpRequest, params: Query[HistoryIn], code: str = Path(..., max_length=40)
                ) -> dict[str, Any]:
    """每个公布过的版本及其公布、被替代时间；带 on 时只返回该日公众看到的那一版（尚未公布则 404）。"""
    on = params.on
    versions = [sel.entry_on(code, on)] if on else sel.entry_history(code)
    return {"code": code, "on": on, "versions": [_version(v) for v in versions]}
