"""``skillreg worker``: django-tasks' ``db_worker`` with a heartbeat (``core/workers.py``).

Same options as ``db_worker``; the worker id defaults to host-pid-random so the task table
says where a task ran. Run this rather than ``db_worker``: only a beating worker's tasks can be
reclaimed when it dies.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from skillreg.core.workers import Heartbeat, new_worker_id


class Command(DbWorkerCommand):
    help = "后台任务进程：执行队列中的任务，并定时写入心跳，进程中断后其任务可被回收。"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=new_worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.beat()  # before the first claim: a task is never held by a worker without a row
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
