"""The worker class README.md tells operators to serve with (``skillreg.serving.ThreadWorker``),
run by gunicorn on a loopback port against the test database (issue 8, figure 1).

What a user of the worker checks: the public verification on a kept-alive connection is answered
on the worker's polling thread and everything else on its thread pool (recorded by a gunicorn
``post_request`` hook, in whichever thread answered); the answers are the same either way; and
the polling thread never waits for a client or for long — a verification whose head has not
fully arrived, or that announces a body or an upgrade, goes to the pool, and answers slower than
``SKILLREG_VERIFY_INLINE_SLOW_MS`` hand the verifications to the pool for a while, so the
worker's other connections are still answered. ``test_serving_inline.py`` holds the worker's
decision to the same rules on sockets of its own (a client that stops reading among them).
The server runs with production's settings (DEBUG off, the limiter on the database cache).
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
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
from skillreg.security_tests.test_load import GUNICORN

pytestmark = pytest.mark.django_db(transaction=POSTGRES)

VERIFY = "/api/v1/public/certificates/verify?number=S000000000000000000000"
# Written by the post_request hook: "<path and query> <thread name>" per answered request, in the
# order the hooks ran (after each response was sent, so not always the order of the answers).
HOOKS = '''
import os, threading

def post_request(worker, req, environ, resp):
    with open(os.environ["SKILLREG_TEST_THREADS_FILE"], "a") as out:
        out.write(f"{req.uri} {threading.current_thread().name}\\n")
'''


class Served:
    def __init__(self, port: int, threads_file: Path, log: Path) -> None:
        self.port, self.threads_file, self.log = port, threads_file, log

    def answered_on(self, count: int) -> dict[str, str]:
        """{path and query: "polling" or "pool"} once ``count`` requests are answered."""
        deadline = time.monotonic() + 10
        while len(lines := self.threads_file.read_text().splitlines()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        answered = dict(line.split(" ", 1) for line in lines)
        assert len(answered) == len(lines), lines  # each request once
        return {uri: "polling" if thread == "MainThread" else "pool" for uri, thread in answered.items()}


@pytest.fixture
def serve(shared_db: tuple[str, Callable[[str], Any]],  # noqa: F811
          tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start the app as production serves it, with one worker (every connection meets the same
    polling thread) and 2 threads; the limiter on production's default database cache."""
    url, _query = shared_db
    processes: list[subprocess.Popen[bytes]] = []

    def start(**extra: str) -> Served:
        threads_file = tmp_path / "threads.txt"
        threads_file.write_text("")
        config = tmp_path / "hooks.py"
        config.write_text(HOOKS)
        env = process_env(url, tmp_path, SKILLREG_DEBUG="0", SKILLREG_SECRET_KEY="test-" + "k" * 50,
                          SKILLREG_CACHE_URL="db://skillreg_cache", SKILLREG_VERIFY_RATE_LIMIT="100000",
                          SKILLREG_ALLOWED_HOSTS="127.0.0.1,localhost", SKILLREG_SSL_REDIRECT="0",
                          SKILLREG_TEST_THREADS_FILE=str(threads_file), **extra)
        port = free_port()
        log = tmp_path / "gunicorn.log"
        processes.append(subprocess.Popen(
            [GUNICORN, "skillreg.wsgi:application", "-c", str(config), "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--worker-class", WORKER_CLASS, "--threads", "2",
             "--timeout", "60", "--log-level", "warning"],
            cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT))
        served = Served(port, threads_file, log)
        deadline = time.monotonic() + 60
        while True:
            assert processes[-1].poll() is None, log.read_text(errors="replace")[-3000:]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                status = _get(conn, VERIFY)[0]
            except OSError:  # not listening yet
                assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
                time.sleep(0.2)
                continue
            finally:
                conn.close()
            assert status == 404, log.read_text(errors="replace")[-3000:]  # an unknown number, answered
            break
        served.answered_on(1)  # the readiness probe's line, written after its answer
        threads_file.write_text("")
        return served

    yield start
    for process in processes:
        stop(process)
    empty_cache_table()


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


class Raw:
    """A client speaking HTTP/1.1 on a bare socket: what it sends is exactly what it writes."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.sock.makefile("rb")  # one buffer: bytes of the next answer are kept

    def send(self, data: str) -> None:
        self.sock.sendall(data.encode())

    def response(self) -> tuple[int, bytes]:
        """(status, body) of the next answer."""
        status = int(self.reader.readline().split()[1])
        length = 0
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, self.reader.read(length)

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def request(path: str, *headers: str) -> str:
    return "".join([f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n", *(h + "\r\n" for h in headers), "\r\n"])


OTHER = "/api/v1/public/institutions?q=x"  # another public request: the pool's


def test_the_verification_on_a_kept_alive_connection_is_answered_on_the_polling_thread(
        serve: Callable[..., Served]) -> None:
    served = serve()
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    first = _get(conn, VERIFY + "1")  # a new connection: the pool waits for its first bytes
    second = _get(conn, VERIFY + "2")
    other = _get(conn, OTHER)
    third = _get(conn, VERIFY + "3")
    conn.close()

    assert first[0] == second[0] == third[0] == 404
    assert json.loads(first[1])["code"] == "not_found"
    assert first[1] == second[1] == third[1]  # the same answer, whichever thread gave it
    assert other[0] == 200
    assert served.answered_on(4) == {VERIFY + "1": "pool", VERIFY + "2": "polling", OTHER: "pool",
                                     VERIFY + "3": "polling"}


def test_a_request_head_not_fully_arrived_does_not_stall_the_worker(serve: Callable[..., Served]) -> None:
    served = serve()
    slow = Raw(served.port)
    slow.send(request(VERIFY + "1"))
    assert slow.response()[0] == 404
    # The next request on the kept-alive connection, cut short before the blank line.
    slow.send(request(VERIFY + "2")[:-2])
    time.sleep(0.3)  # the worker's poller has seen the bytes

    other = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    assert _get(other, VERIFY + "3")[0] == 404
    assert _get(other, VERIFY + "4")[0] == 404
    other.close()

    slow.send("\r\n")
    assert slow.response()[0] == 404
    slow.close()
    # The cut-short request was handed to the pool, where a thread waited for its last bytes while
    # the other connection was accepted (pool) and its kept-alive request answered (polling thread).
    assert served.answered_on(4) == {VERIFY + "1": "pool", VERIFY + "2": "pool", VERIFY + "3": "pool",
                                     VERIFY + "4": "polling"}


def test_requests_with_a_body_or_an_upgrade_and_pipelined_requests_go_to_the_pool_in_order(
        serve: Callable[..., Served]) -> None:
    served = serve()
    raw = Raw(served.port)
    raw.send(request(VERIFY + "1"))
    assert raw.response()[0] == 404
    # A body on a GET: the worker reads (drains) it, so the pool answers; the connection stays usable.
    raw.send(request(VERIFY + "2", "Content-Length: 5") + "hello")
    assert raw.response()[0] == 404
    raw.send(request(VERIFY + "3", "Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n")
    assert raw.response()[0] == 404
    raw.send(request(VERIFY + "4", "Connection: Upgrade", "Upgrade: websocket"))
    assert raw.response()[0] == 404
    # Two requests in one write: the second is read ahead by the parser, off the socket.
    raw.send(request(VERIFY + "5") + request(OTHER))
    assert raw.response()[0] == 404
    assert raw.response()[0] == 200
    raw.send(request(VERIFY + "6"))
    assert raw.response()[0] == 404
    raw.close()
    assert served.answered_on(7) == {VERIFY + "1": "pool", VERIFY + "2": "pool", VERIFY + "3": "pool",
                                     VERIFY + "4": "pool", VERIFY + "5": "polling", OTHER: "pool",
                                     VERIFY + "6": "polling"}


def test_answers_slower_than_the_setting_hand_the_verifications_to_the_threads(
        serve: Callable[..., Served]) -> None:
    """SKILLREG_VERIFY_INLINE_SLOW_MS: a database or cache that answers slowly would hold every
    connection of the worker; past the threshold the threads answer for the next 10 s (here 0 ms:
    any answer is too slow)."""
    served = serve(SKILLREG_VERIFY_INLINE_SLOW_MS="0")
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    for n in range(1, 5):
        assert _get(conn, VERIFY + str(n))[0] == 404
    conn.close()
    assert served.answered_on(4) == {VERIFY + "1": "pool", VERIFY + "2": "polling", VERIFY + "3": "pool",
                                     VERIFY + "4": "pool"}
    assert "answered by the threads for the next 10 s" in served.log.read_text()
