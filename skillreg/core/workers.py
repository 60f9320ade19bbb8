"""Task workers with a heartbeat, and reclaiming the tasks of a worker that died.

``skillreg worker`` is django-tasks' ``db_worker`` plus a thread that stamps a
``WorkerHeartbeat`` row every ``SKILLREG_WORKER_HEARTBEAT_SECONDS``. ``reclaim_lost_tasks``
(run by the scheduler every minute, or ``skillreg reclaim_tasks``) marks FAILED every RUNNING
task whose worker's heartbeat is older than ``SKILLREG_WORKER_LOST_AFTER_SECONDS``, with one
audit event each, so a killed worker's task no longer shows as running forever. It does not
run the task again: the domain's own states recover the work (a roster import is accepted
again, a sweep reruns on schedule). Tasks claimed by a plain ``db_worker``, which writes no
heartbeat, are never reclaimed: nothing can tell whether that worker is alive.

Heartbeats use the real time (``timezone.now()``), as django-tasks stamps ``started_at``: a
frozen business clock (``core/clock.py``, demos and tests) must not make a live worker look dead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from skillreg.audit import services as audit
from skillreg.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Heartbeats of workers dead this long are deleted once their tasks are reclaimed.
FORGET_AFTER = dt.timedelta(days=1)


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker stopped beating (never raised)."""


def new_worker_id() -> str:
    # Readable in the task table (which machine, which process), unique by the random tail;
    # django-tasks allows 64 characters.
    host = socket.gethostname()[:32]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class Heartbeat(threading.Thread):
    """Stamps the worker's row until stopped; its own thread, so its own database connection."""

    def __init__(self, worker_id: str, *, interval: float | None = None) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval if interval is not None else settings.SKILLREG_WORKER_HEARTBEAT_SECONDS
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(),
                      "started_at": self.started_at, "seen_at": timezone.now()})

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a database outage must not kill the thread; the next beat retries
                    logger.exception("任务进程心跳写入失败：%s", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        """The worker is exiting: its row goes with it, unless a task it claimed is still RUNNING
        (killed by SIGTERM mid-task, or its result could not be saved); then the row stays, stops
        beating, and the reclaim fails that task once the row is stale."""
        self._stop_event.set()
        if self.ident is not None:  # started
            self.join(timeout=self.interval + 5)
        if self.worker_id not in running_worker_ids():
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def running_worker_ids() -> set[str]:
    """The workers holding a RUNNING task (each task's last claimer)."""
    ids: set[str] = set()
    for worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("worker_ids", flat=True):
        ids.update(worker_ids[-1:])
    return ids


def reclaim_lost_tasks(*, now: dt.datetime | None = None, lost_after: dt.timedelta | None = None) -> list[str]:
    """Mark FAILED the RUNNING tasks of workers whose heartbeat stopped; return their ids."""
    now = now or timezone.now()
    lost_after = lost_after or dt.timedelta(seconds=settings.SKILLREG_WORKER_LOST_AFTER_SECONDS)
    cutoff = now - lost_after
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    reclaimed: list[str] = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids", "task_path")
    for row in running:
        worker_id = row.worker_ids[-1] if row.worker_ids else ""
        seen_at = beats.get(worker_id)
        if seen_at is None or seen_at >= cutoff:
            continue  # a live worker, or one that never beats (plain db_worker): leave it
        with transaction.atomic():
            # Conditional: the task may have finished between the read and now.
            changed = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(f"执行该任务的任务进程 {worker_id} 已中断（最近心跳 {seen_at.isoformat()}，"
                           f"超过 {int(lost_after.total_seconds())} 秒未更新），任务标记为失败。"))
            if changed:
                audit.record(actor=None, action="core.task_reclaimed", object_type="django_tasks_db.dbtaskresult",
                             object_id=str(row.pk), at=now,
                             summary=f"任务进程中断，任务 {row.task_path.rsplit('.', 1)[-1]} 标记为失败",
                             after={"worker_id": worker_id, "last_heartbeat": seen_at.isoformat()})
                reclaimed.append(str(row.pk))
    # A day past the cutoff, a dead worker's tasks have all been reclaimed above.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    if reclaimed:
        logger.warning("已回收中断任务进程的任务 %d 个", len(reclaimed))
    return reclaimed

