"""The public directory pages and exports: no login, the same selectors as /api/v1/public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from pydantic import ValidationError

from skillreg.registry import exports
from skillreg.registry import public_selectors as sel
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import BodyKind

_FIELDS = ("q", "region", "kind", "occupation", "level", "status")


def _parse(request: HttpRequest) -> tuple[sel.DirectoryQuery | None, dict[str, str], list[str]]:
    """The typed filters (None when invalid), the raw values to keep in the form, and the errors."""
    raw = {name: request.GET.get(name, "").strip() for name in _FIELDS}
    try:
        return sel.DirectoryQuery.model_validate(raw), raw, []
    except ValidationError as exc:
        errors = [str(err.get("ctx", {}).get("error") or err["msg"]) for err in exc.errors()]
        return None, raw, errors


def _row(entry: Any) -> dict[str, Any]:
    item = sel.public_item(entry)
    item["scope_text"] = sel.scope_text(item["scope"])
    return item


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    query, raw, errors = _parse(request)
    page = None
    params = ""
    if query is not None:
        page = Paginator(sel.directory_search(query), sel.PAGE_SIZE).get_page(request.GET.get("page"))
        params = urlencode(query.as_params())
    return render(request, "registry/directory.html", {
        "form": raw,
        "errors": errors,
        "page": page,
        "rows": [_row(entry) for entry in page.object_list] if page else [],
        "params": params,
        "regions": sel.region_options(),
        "kinds": BodyKind.choices,
        "levels": sorted(LEVELS.items(), reverse=True),
        "statuses": [(s.value, s.label) for s in sel.PUBLIC_STATUSES],
        "export_limit": exports.EXPORT_LIMIT,
        "formats": exports.FORMATS,
    }, status=200 if query is not None else 400)


@require_GET
def directory_entry(request: HttpRequest, code: str) -> HttpResponse:
    versions = sel.entry_history(code)
    current = next((v for v in versions if v.superseded_at is None), None)
    if current is None:
        raise Http404("目录中没有该机构")
    on_text = request.GET.get("on", "").strip()
    on, shown, on_error = None, None, ""
    if on_text:
        try:
            on = dt.date.fromisoformat(on_text)
        except ValueError:
            on_error = "日期格式应为 YYYY-MM-DD"
        else:
            shown = sel.version_on(versions, on)
            if shown is None:
                on_error = f"该机构在 {on:%Y年%-m月%-d日} 尚未公布"
    return render(request, "registry/directory_entry.html", {
        "entry": _row(current),
        "versions": [{"version": v.version, "published_at": v.published_at, "superseded_at": v.superseded_at,
                      "active": v.active, "row": _row(v), "shown": shown is not None and v.pk == shown.pk}
                     for v in versions],
        "on": on_text,
        "shown": _row(shown) if shown else None,
        "on_error": on_error,
    })


@require_GET
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404("不支持的导出格式")
    query, _raw, errors = _parse(request)
    if query is None:
        return HttpResponse("查询条件有误：" + "；".join(errors), status=400, content_type="text/plain; charset=utf-8")
    return exports.export(fmt, sel.directory_search(query), query=query)
