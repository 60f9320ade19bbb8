"""Killing the task worker in the middle of a roster import (issue 9, Concurrency and faults): the real
``manage.py worker`` (django-tasks' db_worker with a heartbeat) in its own process, on a database
file (SQLite) or on the test database (PostgreSQL, committed so the worker sees it). SIGKILL while
it writes the accepted rows; afterwards: no candidate written (the commit is one transaction), the
import still "committing", the acceptance recorded once; accepting again (what the page offers) and
a restarted worker finish it: every row exactly once, nothing lost, nothing doubled. The killed
worker's heartbeat stops, and the reclaim (the scheduler's every minute) marks its task failed.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from skillreg.security_tests.liveproc import BASE_DIR, POSTGRES, process_env, shared_db, stop  # noqa: F401

ROWS = 30_000

SLOW_INSERT = """
CREATE FUNCTION skillreg_test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
CREATE TRIGGER skillreg_test_slow_insert AFTER INSERT ON exams_registration
FOR EACH STATEMENT EXECUTE FUNCTION skillreg_test_slow_insert();
"""
DROP_SLOW_INSERT = """
DROP TRIGGER IF EXISTS skillreg_test_slow_insert ON exams_registration;
DROP FUNCTION IF EXISTS skillreg_test_slow_insert();
"""  # large enough that the commit takes a few seconds on a loaded machine

pytestmark = pytest.mark.django_db(transaction=POSTGRES)


def _step(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "skillreg.security_tests.worker_scenario", *args], cwd=BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.1",
                             "--no-reload"], cwd=BASE_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"超时：{what}")


def test_a_worker_killed_during_the_roster_commit_leaves_nothing_partial_and_loses_nothing(
        shared_db: tuple[str, Callable[[str], Any]], tmp_path: Path) -> None:  # noqa: F811
    url, query = shared_db
    # Beats every 0.2 s; silent for 1 s counts as lost (production: 15 s and 120 s).
    env = process_env(url, tmp_path, SKILLREG_WORKER_HEARTBEAT_SECONDS="0.2", SKILLREG_WORKER_LOST_AFTER_SECONDS="1")
    log = tmp_path / "worker.log"
    seeded = _step(env, "seed", str(ROWS))
    assert seeded["status"] == "queued", seeded  # too big for the request: the worker checks it

    def status() -> str:
        return query("SELECT status FROM exams_rosterimport")

    def registrations() -> int:
        return query("SELECT count(*) FROM exams_registration")

    def audits(action: str) -> int:
        return query(f"SELECT count(*) FROM audit_auditevent WHERE action = '{action}'")  # noqa: S608

    if POSTGRES:
        # With COPY the whole commit can take well under a second; a statement trigger that
        # sleeps holds it open (a slow disk, in effect), so the kill below surely lands mid-way.
        with connection.cursor() as cursor:
            cursor.execute(SLOW_INSERT)
    worker = _worker(env, log)
    try:
        _wait(lambda: status() == "validated", "名册校验完成", timeout=90)
        assert _step(env, "accept")["status"] == "committing"
        # The commit task is running: the worker has it and the transaction is open.
        _wait(lambda: query("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                            "WHERE status = 'RUNNING' AND task_path LIKE '%commit_roster_import_task'") == 1,
              "提交任务开始执行", timeout=60)
        # At once: with COPY on PostgreSQL the whole commit may take well under a second. (The
        # assertions below fail if the commit finished first, so the kill was really mid-way.)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute(DROP_SLOW_INSERT)

    # No partial import: the commit's transaction died with the worker.
    assert registrations() == 0, "进程被杀后留下了部分考生"
    assert status() == "committing"
    assert audits("exams.roster_import_accepted") == 1

    # The killed worker's task row still says RUNNING until its heartbeat is a second old; then
    # the reclaim marks it failed, once, audited (core/workers.py).
    assert query("SELECT count(*) FROM core_workerheartbeat") == 1
    killed = query("SELECT worker_id FROM core_workerheartbeat")
    time.sleep(1.2)
    assert _step(env, "reclaim")["reclaimed"] == 1
    assert query("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'") == 0
    assert query("SELECT exception_class_path FROM django_tasks_database_dbtaskresult "
                 "WHERE task_path LIKE '%commit_roster_import_task'") == "skillreg.core.workers.WorkerLost"
    assert audits("core.task_reclaimed") == 1

    # Nothing lost: accepting again resumes the interrupted commit (no second acceptance
    # recorded), and a restarted worker writes every row once.
    assert _step(env, "accept")["status"] == "committing"
    worker = _worker(env, log)
    try:
        _wait(lambda: status() == "committed", "重启后的进程完成导入", timeout=120)
        # A duplicate of the task (a second worker, an operator rerunning it) changes nothing.
        _step(env, "requeue")
        _wait(lambda: query("SELECT status FROM django_tasks_database_dbtaskresult "
                            "ORDER BY enqueued_at DESC LIMIT 1") == "SUCCESSFUL", "重复的任务执行完毕")
    finally:
        stop(worker, timeout=15)
    assert registrations() == ROWS
    assert query("SELECT count(DISTINCT candidate_id) FROM exams_registration") == ROWS
    assert audits("exams.roster_import_accepted") == 1
    # The restarted worker stopped cleanly: its heartbeat went with it (the killed one's stays a
    # day, core/workers.py FORGET_AFTER), and nothing is left RUNNING.
    assert query("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'") == 0
    assert query("SELECT count(*) FROM core_workerheartbeat") == 1
    assert query("SELECT worker_id FROM core_workerheartbeat") == killed
