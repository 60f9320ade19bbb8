from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillreg.core.workers import reclaim_lost_tasks


class Command(BaseCommand):
    help = "把心跳已停止的任务进程名下仍在“运行中”的任务标记为失败（调度进程每分钟执行一次）。"

    def handle(self, *args: Any, **options: Any) -> None:
        reclaimed = reclaim_lost_tasks()
        self.stdout.write(f"已回收中断任务：{len(reclaimed)} 个。")
