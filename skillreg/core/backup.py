"""Portable backup and restore of the whole database (SQLite or PostgreSQL, either way).

Format: JSON Lines, gzip-compressed when the file name ends in ``.gz``.

* line 1, the header: ``{"format": "skillreg-backup", "version": 1, "created_at", "vendor",
  "migrations": {app: [applied migration names]}}``;
* one line per row, Django's ``jsonl`` serialisation with natural foreign keys (content
  types, permissions and users are referred to by name, so the ids a fresh database gives
  its content types do not matter);
* last line, the trailer: ``{"format": "skillreg-backup-end", "counts": {model: rows}}``.
  A file without it was cut short and is refused.

Both directions stream row by row (``QuerySet.iterator`` out, one line at a time in), so
memory does not grow with the database.

Restore only inserts (the PostgreSQL audit table refuses UPDATE and DELETE), into a
freshly migrated, empty database, in one transaction: it either restores everything,
with the row counts and the audit hash chain checked, or nothing.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from skillreg.core import clock
from skillreg.core.errors import DomainError

FORMAT = "skillreg-backup"
END = "skillreg-backup-end"
VERSION = 1
# Rebuilt by `migrate` in every database (and with other ids), or short-lived.
EXCLUDED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


class BackupError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="backup_invalid")


def backed_up_models() -> list[type[models.Model]]:
    """Every table the project owns, ordered so that natural-key targets come first."""
    app_list = []
    for app_config in apps.get_app_configs():
        chosen = [m for m in app_config.get_models()
                  if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in EXCLUDED]
        if chosen:
            app_list.append((app_config, chosen))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8")  # type: ignore[arg-type]
    return path.open(mode, encoding="utf-8")


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


@dataclass
class BackupSummary:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _counted(queryset: Iterable[models.Model], counts: dict[str, int], label: str) -> Iterator[models.Model]:
    for obj in queryset:
        counts[label] += 1
        yield obj


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    summary = BackupSummary(path=path)
    connection = connections[using]
    outer = connection.in_atomic_block
    # Written beside the target and renamed at the end: a failed backup leaves no file
    # that could be mistaken for a good one.
    partial = path.with_name(path.name + ".partial" + (".gz" if path.suffix == ".gz" else ""))
    with transaction.atomic(using=using), _open(partial, "w") as out:
        if connection.vendor == "postgresql" and not outer:
            # One snapshot for every table: the audit chain and the rows it describes agree.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        out.write(json.dumps({"format": FORMAT, "version": VERSION, "created_at": clock.now().isoformat(),
                              "vendor": connection.vendor, "migrations": _applied_migrations(using)},
                             ensure_ascii=False) + "\n")
        for model in backed_up_models():
            label = model._meta.label_lower
            summary.counts[label] = 0
            rows = model._base_manager.using(using).order_by(model._meta.pk.name).iterator(chunk_size=2000)
            serializers.serialize("jsonl", _counted(rows, summary.counts, label), stream=out,
                                  use_natural_foreign_keys=True, use_natural_primary_keys=False)
        out.write(json.dumps({"format": END, "counts": summary.counts}, ensure_ascii=False) + "\n")
    partial.replace(path)
    return summary


@dataclass
class RestoreSummary:
    counts: dict[str, int]
    audit_events: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


class _Reader:
    """Yields the row lines of a backup file; keeps its header and trailer."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.trailer: dict[str, Any] | None = None
        first = stream.readline()
        try:
            self.header = json.loads(first)
        except ValueError:
            self.header = None
        if not isinstance(self.header, dict) or self.header.get("format") != FORMAT:
            raise BackupError("这不是本系统的备份文件（缺少文件头）")
        if self.header.get("version") != VERSION:
            raise BackupError(f"不支持的备份格式版本：{self.header.get('version')}")

    def __iter__(self) -> Iterator[str]:
        for line in self.stream:
            if not line.strip():
                continue
            if self.trailer is not None:
                raise BackupError("备份文件在结束标记之后还有内容，文件已损坏")
            if line.startswith('{"format"'):
                self.trailer = json.loads(line)
                continue
            yield line


def _check_target(using: str, header: dict[str, Any]) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("目标数据库尚未迁移到最新结构，请先运行 skillreg migrate")
    known = {f"{app}.{name}" for app, name in executor.loader.disk_migrations}
    newer = sorted(f"{app}.{name}" for app, names in header.get("migrations", {}).items()
                   for name in names if f"{app}.{name}" not in known)
    if newer:
        raise BackupError(f"备份来自更新的版本（本程序没有迁移 {', '.join(newer[:3])}），请先升级程序")
    occupied = [m._meta.label_lower for m in backed_up_models() if m._base_manager.using(using).exists()]
    if occupied:
        raise BackupError(f"只能恢复到刚迁移的空数据库；目标库已有数据：{', '.join(occupied[:5])}")


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> RestoreSummary:
    from skillreg.audit.services import verify_chain

    connection = connections[using]
    with _open(path, "r") as stream:
        reader = _Reader(stream)
        _check_target(using, reader.header)
        counts: dict[str, int] = {}
        touched: set[type[models.Model]] = set()
        with transaction.atomic(using=using):
            with connection.constraint_checks_disabled():
                deferred = []
                objects = serializers.deserialize("jsonl", reader, using=using, handle_forward_references=True)
                for obj in objects:
                    # Insert only: never an UPDATE, which the audit table refuses.
                    obj.save(using=using, force_insert=True)
                    model = type(obj.object)
                    touched.add(model)
                    counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + 1
                    if obj.deferred_fields:
                        deferred.append(obj)
                for obj in deferred:
                    obj.save_deferred_fields(using=using)
            if reader.trailer is None or reader.trailer.get("format") != END:
                raise BackupError("备份文件不完整（缺少结束标记），未恢复任何数据")
            connection.check_constraints(table_names=[m._meta.db_table for m in touched])
            expected = {k: v for k, v in reader.trailer["counts"].items() if v}
            if counts != expected:
                diff = {k: (expected.get(k, 0), counts.get(k, 0)) for k in set(expected) | set(counts)
                        if expected.get(k, 0) != counts.get(k, 0)}
                raise BackupError(f"恢复的行数与备份不符（备份, 恢复）：{diff}")
            for label, rows in expected.items():
                actual = apps.get_model(label)._base_manager.using(using).count()
                if actual != rows:
                    raise BackupError(f"{label} 恢复后有 {actual} 行，备份中有 {rows} 行")
            sequence_sql = connection.ops.sequence_reset_sql(no_style(), list(touched))
            if sequence_sql:
                with connection.cursor() as cursor:
                    for sql in sequence_sql:
                        cursor.execute(sql)
            report = verify_chain()
            if not report.ok:
                raise BackupError(f"恢复后审计链校验失败：第 {report.broken_seq} 条，{report.reason}")
    return RestoreSummary(counts=counts, audit_events=report.checked)
