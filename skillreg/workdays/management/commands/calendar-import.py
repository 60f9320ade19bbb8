"""Enter a year's holiday arrangement from a CSV file (date,is_workday,name).

    python manage.py calendar-import 2027.csv --year 2027 \\
        --note "国办发明电〔2026〕X号" --actor admin

Every bad row is reported and nothing is written unless every row is good.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.workdays.schedule import parse_schedule
from skillreg.workdays.services import calendar_year_enter, can_enter_calendar


class Command(BaseCommand):
    help = "从 CSV 文件（date,is_workday,name；is_workday 为 休/班）录入某年度的节假日安排。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="CSV 文件（UTF-8）")
        parser.add_argument(
            "--year", type=int, required=True, help="年度，文件中每个日期都须在该年内"
        )
        parser.add_argument("--note", required=True, help="依据，如国务院办公厅通知文号")
        parser.add_argument(
            "--actor", default=None,
            help="记入审计日志的系统管理员用户名；不填则记为“系统”",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        year: int = options["year"]
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None or not can_enter_calendar(actor):
                raise CommandError(f"未写入：{options['actor']} 不是系统管理员")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"未写入：找不到文件 {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"未写入：{path} 不是 UTF-8 编码") from None

        parsed = parse_schedule(text, year=year)
        for error in parsed.errors:
            self.stderr.write(f"{path}: {error}")
        if not parsed.ok:
            raise CommandError(f"未写入：{path} 有 {len(parsed.errors)} 行错误")
        try:
            calendar_year_enter(
                actor=actor, year=year, days=parsed.days, note=options["note"], at=clock.now()
            )
        except DomainError as exc:
            raise CommandError(f"未写入：{exc.message}") from None
        rest = sum(not d.is_workday for d in parsed.days)
        self.stdout.write(
            f"已录入 {year} 年节假日安排：休 {rest} 天、班 {len(parsed.days) - rest} 天（{path}）"
        )
