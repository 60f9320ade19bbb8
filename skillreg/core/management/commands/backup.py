from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from skillreg.core.backup import backup


class Command(BaseCommand):
    help = "把整个数据库备份为一个 JSON Lines 文件（文件名以 .gz 结尾则压缩）；SQLite 与 PostgreSQL 通用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件路径，例如 var/backup/skillreg-2026-11-20.jsonl.gz")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        summary = backup(file)
        self.stdout.write(f"已备份 {len(summary.counts)} 张表、{summary.rows} 行到 {file}")
