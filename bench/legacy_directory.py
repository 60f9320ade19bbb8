"""The directory search as it was before issue 8 (JSON scan of DirectoryEntry.data): the "before".

A verbatim copy of ``directory_search`` and ``_ScopeMatches`` from skillreg/registry/public_selectors.py
at commit b1a374a, kept so that before and after are measured in the same run on the same data.
"""

# ruff: noqa
from __future__ import annotations

from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import DirectoryEntry
from skillreg.registry.public_selectors import _OFF_DIRECTORY_STATUSES, DirectoryQuery


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


