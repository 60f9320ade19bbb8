"""Loopback load test (issue 9, Deployment and data): the app served by gunicorn as in
production, on a free local port, against a database with the demo set (SQLite file or the
PostgreSQL test database); 16 concurrent clients send a fixed count of requests to the public
endpoints (directory page and search API, a directory entry, certificate verification by page
and API, public inspection results) and the login page. Zero errors: every answer 200 (a 429
from the verification limit would be expected; the limit is set above the count here), no
connection dropped, nothing above 60 s.

Bounded: ``SKILLREG_LOAD_REQUESTS`` (default 800) requests, 16 clients
(``SKILLREG_LOAD_CLIENTS``), gunicorn with 2 workers × 4 threads of README.md's worker class
(``skillreg.serving.ThreadWorker``: the kept-alive verifications answered on each worker's polling
thread, everything else on its threads).
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillreg.security_tests.liveproc import (  # noqa: F401
    BASE_DIR,
    POSTGRES,
    WORKER_CLASS,
    empty_cache_table,
    free_port,
    process_env,
    shared_db,
    stop,
)

pytestmark = pytest.mark.django_db(transaction=POSTGRES)

REQUESTS = int(os.environ.get("SKILLREG_LOAD_REQUESTS", "800"))
CLIENTS = int(os.environ.get("SKILLREG_LOAD_CLIENTS", "16"))
# gunicorn is a dependency of the project (the README serves with it): missing, the tests fail.
GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn 退出：{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn 未在 60 秒内就绪：{log.read_text(errors='replace')[-3000:]}")


def test_public_endpoints_and_login_page_answer_16_concurrent_clients_without_error(
        shared_db: tuple[str, Callable[[str], Any]], tmp_path: Path) -> None:  # noqa: F811
    url, query = shared_db
    env = process_env(url, tmp_path, SKILLREG_VERIFY_RATE_LIMIT=str(REQUESTS * 10), SKILLREG_2FA_ROLES="",
                      SKILLREG_ALLOWED_HOSTS="127.0.0.1,localhost")
    demo = subprocess.run([sys.executable, "manage.py", "demo-data"], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert demo.returncode == 0, demo.stderr[-3000:]
    code = query("SELECT code FROM registry_institution WHERE code IS NOT NULL ORDER BY id LIMIT 1")
    number = query("SELECT number FROM certificates_certificate ORDER BY id LIMIT 1")
    paths = [
        "/directory/", "/directory/?q=" + urllib.parse.quote("技能"),
        "/api/v1/public/institutions?q=" + urllib.parse.quote("评价") + "&limit=20",
        "/api/v1/public/institutions?region=15", f"/directory/{code}/", f"/api/v1/public/institutions/{code}",
        f"/api/v1/public/certificates/verify?number={number}", f"/certificates/verify/?number={number}",
        "/supervision/public/inspections/", "/login/",
    ]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen([GUNICORN, "skillreg.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--worker-class", WORKER_CLASS, "--threads", "4",
                               "--timeout", "60", "--log-level", "warning"],
                              cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    statuses: Counter[int | str] = Counter()
    errors: list[str] = []
    timings: list[float] = []
    lock = threading.Lock()
    counter = iter(range(REQUESTS))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            path = paths[n % len(paths)]
            started = time.monotonic()
            try:
                conn.request("GET", path, headers={"Accept-Language": "zh-CN"})
                response = conn.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] += 1
                timings.append(time.monotonic() - started)
                if status not in (200, 429):
                    errors.append(f"{path} → {status}")
        conn.close()

    try:
        _wait_for(port, server, log)
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        elapsed = time.monotonic() - began
    finally:
        stop(server)
    assert sum(statuses.values()) == REQUESTS, statuses
    assert not errors, f"{len(errors)} 个错误：{errors[:10]}；状态：{dict(statuses)}"
    assert statuses[429] == 0, "查验频率限制已调高，不应出现 429"
    timings.sort()
    print(f"\n{REQUESTS} 个请求 / {CLIENTS} 个并发：{elapsed:.1f} 秒，{REQUESTS / elapsed:.0f} 次/秒，"
          f"中位 {statistics.median(timings) * 1000:.0f} ms，p95 {timings[int(len(timings) * 0.95)] * 1000:.0f} ms")


def test_the_verification_limit_holds_across_gunicorn_workers_with_the_database_cache(
        shared_db: tuple[str, Callable[[str], Any]], tmp_path: Path) -> None:  # noqa: F811
    """Production's default cache (the ``skillreg_cache`` table): two worker processes count one
    client's verifications together, so the limit is the limit, not the limit per worker."""
    limit = 6
    empty_cache_table()  # this client's count starts from zero
    env = process_env(shared_db[0], tmp_path, SKILLREG_CACHE_URL="db://skillreg_cache",
                      SKILLREG_VERIFY_RATE_LIMIT=str(limit), SKILLREG_VERIFY_RATE_WINDOW="3600",
                      SKILLREG_ALLOWED_HOSTS="127.0.0.1,localhost")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen([GUNICORN, "skillreg.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--timeout", "60", "--log-level", "warning"],
                              cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    statuses: list[int] = []
    try:
        _wait_for(port, server, log)
        for _ in range(3 * limit):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection: any worker
            conn.request("GET", "/api/v1/public/certificates/verify?number=Y000051000001261000001")
            statuses.append(conn.getresponse().status)
            conn.close()
    finally:
        stop(server)
    assert 429 not in statuses[:limit], statuses
    assert statuses[limit:] == [429] * (2 * limit), statuses
