from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written every few seconds by ``skillreg worker``.

    django-tasks' database backend marks a task RUNNING when a worker claims it and nothing
    else: a worker killed mid-task (SIGKILL, a lost machine) leaves the row RUNNING forever.
    A stale heartbeat is how the system knows that worker is gone (``core/workers.py``).
    """

    worker_id = models.CharField("任务进程标识", max_length=64, unique=True)
    hostname = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "任务进程心跳"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"
