"""A database that other processes (the task worker, a gunicorn server) can share with a test.

SQLite: the test database lives in memory, so its schema is copied into a file (cheaper than
running every migration again). PostgreSQL: the test database itself, with the test marked
``transaction=True`` so what it writes is committed and visible to the other processes.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

BASE_DIR = Path(__file__).resolve().parent.parent.parent
POSTGRES = connection.vendor == "postgresql"
# README.md's worker class (Operations): gthread, the verification answered on the polling thread.
WORKER_CLASS = "skillreg.serving.ThreadWorker"


def sqlite_copy(target: Path, *, wal: bool = True) -> None:
    """The SQLite test database, schema and rows, into a file other processes can open."""
    connection.ensure_connection()
    dump = "\n".join(connection.connection.iterdump())
    # Through Django's SQLite wrapper: it registers the functions (REGEXP) the CHECK constraints call.
    out = SQLiteWrapper({**connection.settings_dict, "NAME": str(target), "OPTIONS": {}}, alias="live_target")
    try:
        out.ensure_connection()
        out.connection.execute("PRAGMA foreign_keys = OFF")  # iterdump orders tables by name
        out.connection.executescript(dump)
        if wal:  # a server and the test read and write it at once
            out.connection.execute("PRAGMA journal_mode = WAL")
    finally:
        out.close()


def stop(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def shared_db(tmp_path: Path) -> Iterator[tuple[str, Callable[[str], Any]]]:
    """(DATABASE_URL for other processes, a function running one SQL query outside Django's connection)."""
    if POSTGRES:
        import psycopg

        s = connection.settings_dict
        host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
        conn = psycopg.connect(host=host, port=port, user=s["USER"], password=s["PASSWORD"] or None,
                               dbname=s["NAME"], autocommit=True)
        try:
            yield f"postgres://{s['USER']}@{host}:{port}/{s['NAME']}", lambda sql: conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
        return
    db = tmp_path / "live.sqlite3"
    sqlite_copy(db)
    lite = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        yield f"sqlite:///{db}", lambda sql: lite.execute(sql).fetchone()[0]
    finally:
        lite.close()


def process_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or worker process: the shared database, files in tmp_path,
    the clock at the fixtures' instant (it then runs), no setting inherited from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLREG_")}
    env.update(DATABASE_URL=url, SKILLREG_VAR_DIR=str(tmp_path), SKILLREG_MEDIA_ROOT=str(tmp_path / "media"),
               SKILLREG_CLOCK_START="2026-11-20T10:00:00+08:00", SKILLREG_DB_CONN_MAX_AGE="0",
               DJANGO_SETTINGS_MODULE="skillreg.settings", PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def empty_cache_table() -> None:
    """Empty production's cache table (``db://skillreg_cache``): the rate limiter's counters live
    there, and on PostgreSQL what a served process wrote outlives the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM skillreg_cache")
