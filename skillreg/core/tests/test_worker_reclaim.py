"""A killed task worker's RUNNING tasks are reclaimed (issue 9, Concurrency and faults; core/workers.py).

django-tasks' database backend leaves a task RUNNING forever when its worker dies mid-task;
``skillreg worker`` beats, and ``reclaim_lost_tasks`` fails the tasks of a worker whose beat
stopped, once, with an audit event, and leaves live workers and non-beating workers alone.
The real worker killed mid-commit is in ``security_tests/test_worker_kill.py``.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from skillreg.audit.models import AuditEvent
from skillreg.core.models import WorkerHeartbeat
from skillreg.core.workers import Heartbeat, reclaim_lost_tasks

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LOST_AFTER = dt.timedelta(seconds=120)


def _running(worker_id: str, *, status: str = TaskResultStatus.RUNNING) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [1], "kwargs": {}}, backend_name="default",
        task_path="skillreg.exams.tasks.commit_roster_import_task", run_after=NOW - dt.timedelta(minutes=10),
        started_at=NOW - dt.timedelta(minutes=10), worker_ids=["earlier-worker", worker_id],
        exception_class_path="", traceback="")


def _beat(worker_id: str, seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(worker_id=worker_id, hostname="app-1", pid=4242,
                                   started_at=NOW - dt.timedelta(hours=1),
                                   seen_at=NOW - dt.timedelta(seconds=seconds_ago))


def test_the_task_of_a_worker_whose_heartbeat_stopped_is_marked_failed_once_with_an_audit_event() -> None:
    _beat("dead", seconds_ago=121)
    task = _running("dead")

    assert reclaim_lost_tasks(now=NOW, lost_after=LOST_AFTER) == [str(task.pk)]

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.finished_at == NOW
    assert task.exception_class_path == "skillreg.core.workers.WorkerLost"
    assert "dead" in task.traceback and "已中断" in task.traceback
    event = AuditEvent.objects.get(action="core.task_reclaimed")
    assert event.object_id == str(task.pk) and event.actor is None
    # A second pass finds nothing more to do.
    assert reclaim_lost_tasks(now=NOW, lost_after=LOST_AFTER) == []
    assert AuditEvent.objects.filter(action="core.task_reclaimed").count() == 1


def test_a_live_worker_only_the_last_claimer_counts_and_finished_tasks_are_left_alone() -> None:
    _beat("alive", seconds_ago=119)  # within the limit: slow, not lost
    _beat("dead", seconds_ago=600)
    live = _running("alive")
    # "dead" claimed this task first; "alive" holds it now (django-tasks appends each claimer).
    handed_over = _running("alive")
    handed_over.worker_ids = ["dead", "alive"]
    handed_over.save()
    finished = _running("dead", status=TaskResultStatus.SUCCESSFUL)

    assert reclaim_lost_tasks(now=NOW, lost_after=LOST_AFTER) == []
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {live.pk: TaskResultStatus.RUNNING, handed_over.pk: TaskResultStatus.RUNNING,
                        finished.pk: TaskResultStatus.SUCCESSFUL}
    assert not AuditEvent.objects.filter(action="core.task_reclaimed").exists()


def test_a_task_held_by_a_worker_that_never_beats_is_never_reclaimed() -> None:
    # A plain `db_worker` writes no heartbeat: nothing can tell whether it is alive.
    task = _running("plain-db-worker")
    reclaim_lost_tasks(now=NOW + dt.timedelta(days=7), lost_after=LOST_AFTER)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_heartbeats_of_workers_dead_for_a_day_are_forgotten() -> None:
    _beat("long-gone", seconds_ago=2 * 24 * 3600)
    _beat("recent", seconds_ago=10)
    reclaim_lost_tasks(now=NOW, lost_after=LOST_AFTER)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_keeps_the_row_fresh_and_removes_it_on_a_clean_stop() -> None:
    beat = Heartbeat("thread-test", interval=0.05)
    beat.beat()
    first = WorkerHeartbeat.objects.get(worker_id="thread-test").seen_at
    beat.start()
    try:
        deadline = time.monotonic() + 10
        while WorkerHeartbeat.objects.get(worker_id="thread-test").seen_at == first:
            assert time.monotonic() < deadline, "心跳未更新"
            time.sleep(0.02)
    finally:
        beat.stop()
    assert not beat.is_alive()
    assert not WorkerHeartbeat.objects.filter(worker_id="thread-test").exists()


def test_a_worker_that_stops_with_a_task_still_running_leaves_its_row_for_the_reclaim() -> None:
    # SIGTERM mid-task (or a result that could not be saved): the task is still RUNNING under
    # this worker when it exits; the row stays, goes stale, and the task is reclaimed.
    beat = Heartbeat("stopping", interval=0.05)
    beat.beat()
    task = _running("stopping")
    beat.stop()
    assert WorkerHeartbeat.objects.filter(worker_id="stopping").exists()
    later = timezone.now() + dt.timedelta(seconds=121)
    assert reclaim_lost_tasks(now=later, lost_after=LOST_AFTER) == [str(task.pk)]


def test_finished_task_rows_are_pruned_after_two_weeks_failed_ones_after_three_months() -> None:
    from skillreg.core.tasks import prune_task_results_task

    def finished(status: str, days_ago: int) -> DBTaskResult:
        row = _running("w", status=status)
        DBTaskResult.objects.filter(pk=row.pk).update(finished_at=timezone.now() - dt.timedelta(days=days_ago))
        return row

    keep = {finished(TaskResultStatus.SUCCESSFUL, 13).pk, finished(TaskResultStatus.FAILED, 89).pk,
            _running("w").pk}
    finished(TaskResultStatus.SUCCESSFUL, 15)
    finished(TaskResultStatus.FAILED, 91)
    prune_task_results_task.call()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == keep
