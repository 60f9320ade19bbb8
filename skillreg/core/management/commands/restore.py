from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillreg.core.backup import restore
from skillreg.core.errors import DomainError


class Command(BaseCommand):
    help = ("把 skillreg backup 生成的文件恢复到刚迁移的空数据库（先运行 skillreg migrate）；"
            "只插入不改写，核对行数与审计哈希链，任何不符则整体回滚")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件路径")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"备份文件不存在：{file}")
        try:
            summary = restore(file)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已恢复 {len(summary.counts)} 张表、{summary.rows} 行；"
                          f"审计链 {summary.audit_events} 条事件校验通过")
