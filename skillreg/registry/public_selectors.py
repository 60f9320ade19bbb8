"""Reads for the public directory: only published entries, only their public record.

Everything here reads ``DirectoryEntry.data`` (the version the public was shown), never the
live ``Institution`` row, so a search, a page and an export tell the same truth as the entry
(issue 4: "the directory always telling the truth of the day"). The page, the API and the
exports all filter through :func:`directory_search`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from pydantic import BaseModel, ConfigDict, Field, field_validator

from skillreg.accounts.models import Authority
from skillreg.core import clock
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import BodyKind, DirectoryEntry, Institution

PAGE_SIZE = 20
API_MAX_LIMIT = 100

# The statuses a published entry can carry; 已注册（未备案） never reaches the directory.
PUBLIC_STATUSES = [s for s in Institution.Status if s != Institution.Status.REGISTERED]
# Entries that left the active directory stay findable when asked for by their status
# (issue 4: a cancelled body "stays findable"); the default search shows the active ones.
_OFF_DIRECTORY_STATUSES = {Institution.Status.EXPIRED, Institution.Status.CANCELLED, Institution.Status.REVOKED}

_REGION = re.compile(r"^\d{2,6}$")


def _unset_if_blank(value: Any) -> Any:
    # An empty box in the search form means "any", not "an empty name".
    if isinstance(value, str):
        return value.strip() or None
    return value


class DirectoryQuery(BaseModel):
    """The directory's filters, validated once for the page, the API and the exports."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    q: str | None = Field(None, max_length=50, description="机构名称（中文子串，1 个字起）或机构代码")
    region: str | None = Field(None, description="所在地行政区划代码前缀（2、4 或 6 位），如 51、5119")
    kind: BodyKind | None = Field(None, description="单位类别")
    occupation: str | None = Field(None, max_length=50, description="职业（工种）或专项能力项目名称（子串）")
    level: int | None = Field(None, ge=1, le=5, description="等级：5 初级、4 中级、3 高级、2 技师、1 高级技师")
    status: Institution.Status | None = Field(
        None, description="公布的状态：filed、suspended、expired、cancelled、revoked")

    @field_validator("q", "occupation", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return _unset_if_blank(value)

    @field_validator("q", "occupation")
    @classmethod
    def _collapse_spaces(cls, value: str | None) -> str | None:
        return " ".join(value.split()) if value else value

    @field_validator("region", mode="before")
    @classmethod
    def _region_prefix(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and not _REGION.match(str(value).strip()):
            raise ValueError("地区应为 2 至 6 位行政区划代码（前缀），如 51 或 5119")
        return value

    @field_validator("level", mode="before")
    @classmethod
    def _level_1_to_5(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is None:
            return value
        try:
            level = int(str(value).strip())
        except ValueError:
            level = 0
        if level not in LEVELS:
            raise ValueError("等级应为 1（高级技师）至 5（初级）")
        return level

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and value not in BodyKind.values:
            raise ValueError("未知的单位类别")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _public_status(cls, value: Any) -> Any:
        value = _unset_if_blank(value)
        if value is not None and value not in PUBLIC_STATUSES:
            raise ValueError("状态应为 filed、suspended、expired、cancelled 或 revoked")
        return value

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (for pagination and export links)."""
        return {key: str(getattr(value, "value", value))
                for key, value in self.model_dump().items() if value is not None}


class _ScopeMatches(Expression):
    """EXISTS over the entry's own published scope (``data -> 'scope'``).

    The filter looks at the version's record, not at the live ``InstitutionScope`` rows, so
    an occupation dropped by a later change filing is not found in today's directory and
    one added is found only once its version is published. Name and level must hold for
    the same scope item ("电工 at 技师", not "电工 at some level and something at 技师").
    """

    output_field = BooleanField()

    def __init__(self, *, name: str | None, level_label: str | None) -> None:
        super().__init__(output_field=BooleanField())
        self.data: Any = F("data")
        self.name = name
        self.level_label = level_label

    def get_source_expressions(self) -> list[Any]:
        return [self.data]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.data,) = exprs

    def _like(self, connection: Any) -> str:
        return f"%{connection.ops.prep_for_like_query(self.name)}%"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        data_sql, params = compiler.compile(self.data)
        conditions, args = [], []
        if self.name:
            conditions.append("json_extract(dir_scope.value, '$.name') LIKE %s ESCAPE '\\'")
            args.append(self._like(connection))
        if self.level_label:
            conditions.append("EXISTS (SELECT 1 FROM json_each(dir_scope.value, '$.levels') AS dir_level"
                              " WHERE dir_level.value = %s)")
            args.append(self.level_label)
        where = " AND ".join(conditions) or "1 = 1"
        # Only the compiled column and fixed fragments are interpolated; every value is a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({data_sql}, '$.scope') AS dir_scope WHERE {where})"  # noqa: S608
        return sql, [*params, *args]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        data_sql, params = compiler.compile(self.data)
        conditions, args = [], []
        if self.name:
            conditions.append("(dir_scope.item ->> 'name') ILIKE %s")
            args.append(self._like(connection))
        if self.level_label:
            conditions.append("(dir_scope.item -> 'levels') @> jsonb_build_array(%s::text)")
            args.append(self.level_label)
        where = " AND ".join(conditions) or "TRUE"
        sql = (f"EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE({data_sql} -> 'scope', '[]'::jsonb))"  # noqa: S608
               f" AS dir_scope(item) WHERE {where})")
        return sql, [*params, *args]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError("公开目录的职业/等级筛选仅支持 SQLite 与 PostgreSQL")


def current_entries() -> QuerySet[DirectoryEntry]:
    """The version each filed institution shows today (one per institution, by constraint)."""
    return DirectoryEntry.objects.filter(superseded_at__isnull=True)


def directory_search(query: DirectoryQuery) -> QuerySet[DirectoryEntry]:
    """Current entries matching the filters, in a stable order (region, name, then id)."""
    qs = current_entries()
    if query.status in _OFF_DIRECTORY_STATUSES:
        qs = qs.filter(data__status=query.status.value)
    else:
        qs = qs.filter(active=True)
        if query.status is not None:
            qs = qs.filter(data__status=query.status.value)
    if query.q:
        # Every word must match; a word matches a substring of the name or the whole code.
        for word in query.q.split():
            qs = qs.filter(Q(data__name__icontains=word) | Q(data__code__iexact=word))
    if query.region:
        qs = qs.filter(data__region_code__startswith=query.region)
    if query.kind:
        qs = qs.filter(data__body_kind=query.kind.value)
    if query.occupation or query.level:
        qs = qs.filter(_ScopeMatches(name=query.occupation,
                                     level_label=LEVELS[query.level] if query.level else None))
    return qs.order_by(KeyTextTransform("region_code", "data"), KeyTextTransform("name", "data"), "pk")


def _entries_for(code: str) -> QuerySet[DirectoryEntry]:
    return DirectoryEntry.objects.filter(institution__code=code)


def entry_current(code: str) -> DirectoryEntry:
    """The version shown today, active or not (a cancelled body stays findable); 404 if never published."""
    entry = _entries_for(code).filter(superseded_at__isnull=True).first()
    if entry is None:
        raise Http404("目录中没有该机构")
    return entry


def entry_history(code: str) -> list[DirectoryEntry]:
    """Every published version, newest first; 404 if the code was never published."""
    versions = list(_entries_for(code).order_by("-version"))
    if not versions:
        raise Http404("目录中没有该机构")
    return versions


def version_on(versions: list[DirectoryEntry], on: dt.date) -> DirectoryEntry | None:
    """The version the public saw on ``on``: the one current at the close of that day (China time).

    A version published and superseded on the same day counts for that day only if nothing
    replaced it before midnight, so the answer is what the directory showed when the day ended.
    """
    close = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=clock.LOCAL_TZ)
    for entry in versions:  # newest first
        if entry.published_at < close and (entry.superseded_at is None or entry.superseded_at >= close):
            return entry
    return None


def entry_on(code: str, on: dt.date) -> DirectoryEntry:
    entry = version_on(entry_history(code), on)
    if entry is None:
        raise Http404(f"该机构在 {on:%Y-%m-%d} 尚未公布")
    return entry


def region_options() -> list[tuple[str, str]]:
    """(prefix, label) for the provinces, cities and named counties present in the active directory.

    Two queries whatever the size: the distinct region codes, then the names the authorities give them.
    """
    codes = set(current_entries().filter(active=True).order_by()
                .values_list(KeyTextTransform("region_code", "data"), flat=True).distinct())
    prefixes = {code[:n] for code in codes if code for n in (2, 4, 6)}
    names = dict(Authority.objects.filter(region_code__in={p.ljust(6, "0") for p in prefixes})
                 .values_list("region_code", "region_name"))
    options = []
    for prefix in sorted(prefixes):
        name = names.get(prefix.ljust(6, "0"))
        if len(prefix) == 6 and (name is None or prefix.endswith("00")):
            continue  # a county shows only when named, and "510100" is the city already listed
        indent = "\u3000" * (len(prefix) // 2 - 1)
        options.append((prefix, f"{indent}{name or prefix}"))
    return options


# --- presentation of one record, shared by the page, the API and the exports -----------------

PUBLIC_KEYS = ("name", "code", "region_code", "authority", "body_kind", "status", "valid_until",
               "scope", "address", "head", "contact")


def public_item(entry: DirectoryEntry) -> dict[str, Any]:
    """The entry's public record, limited to the keys the directory publishes, with labels.

    ``address``, ``head`` and ``contact`` are present only where the pack makes them public
    (``directory.public_record``); anything else a future record carries is not passed on
    until it is added here on purpose.
    """
    data = entry.data
    item = {key: data[key] for key in PUBLIC_KEYS if key in data}
    item["scope"] = [{"name": s.get("name", ""), "levels": list(s.get("levels", []))}
                     for s in data.get("scope", [])]
    item["suspended"] = [{"name": s.get("name", ""), "level": s.get("level"), "since": s.get("since"),
                          "source": s.get("source", "")} for s in data.get("suspended", [])]
    item["body_kind_label"] = _label(BodyKind, data.get("body_kind"))
    item["status_label"] = _label(Institution.Status, data.get("status"))
    item["active"] = entry.active
    item["version"] = entry.version
    item["published_at"] = entry.published_at
    return item


def scope_text(scope: list[dict[str, Any]]) -> str:
    """电工（初级、中级）；焊工（初级）: the occupations or projects with their levels."""
    parts = []
    for s in scope:
        levels = "、".join(s.get("levels") or [])
        parts.append(f"{s.get('name', '')}（{levels}）" if levels else s.get("name", ""))
    return "；".join(parts)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")
