"""The worker class README.md tells operators to serve with (``skillreg.serving.ThreadWorker``),
run by gunicorn on a loopback port against the test database (issue 8, figure 1).

What a user of the worker checks: the public verification on a kept-alive connection is answered
on the worker's polling thread and everything else on its thread pool (recorded by a gunicorn
``post_request`` hook, in whichever thread answered); the answers are the same either way; and
the polling thread never waits for a client — a verification request whose head has not fully
arrived, or one that announces a body, goes to the pool, so the worker's other connections are
still answered.
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
    free_port,
    process_env,
    shared_db,
    stop,
)
from skillreg.security_tests.test_load import GUNICORN, _wait_for

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


@pytest.fixture
def server(shared_db: tuple[str, Callable[[str], Any]],  # noqa: F811
           tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """One worker (every connection meets the same polling thread), 2 pool threads."""
    url, _query = shared_db
    threads_file = tmp_path / "threads.txt"
    config = tmp_path / "hooks.py"
    config.write_text(HOOKS)
    env = process_env(url, tmp_path, SKILLREG_VERIFY_RATE_LIMIT="100000", SKILLREG_2FA_ROLES="",
                      SKILLREG_ALLOWED_HOSTS="127.0.0.1,localhost", SKILLREG_SSL_REDIRECT="0",
                      SKILLREG_TEST_THREADS_FILE=str(threads_file))
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen([GUNICORN, "skillreg.wsgi:application", "-c", str(config), "--bind",
                                f"127.0.0.1:{port}", "--workers", "1", "--worker-class",
                                "skillreg.serving.ThreadWorker", "--threads", "2", "--timeout", "60",
                                "--log-level", "warning"],
                               cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process, log)
        _answered_on(threads_file, 1)  # the readiness probe's line, written after its answer
        threads_file.write_text("")
        yield port, threads_file
    finally:
        stop(process)


def _answered_on(threads_file: Path, count: int) -> dict[str, str]:
    """{path and query: "polling" or "pool"}; the hook runs after the response is sent."""
    deadline = time.monotonic() + 10
    while len(lines := threads_file.read_text().splitlines()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    answered = dict(line.split(" ", 1) for line in lines)
    assert len(answered) == len(lines), lines  # each request once
    return {uri: "polling" if thread == "MainThread" else "pool" for uri, thread in answered.items()}


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (headers and Content-Length body) off a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_the_verification_on_a_kept_alive_connection_is_answered_on_the_polling_thread(
        server: tuple[int, Path]) -> None:
    port, threads_file = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    first = _get(conn, VERIFY + "1")  # a new connection: the pool waits for its first bytes
    second = _get(conn, VERIFY + "2")
    login = _get(conn, "/login/")
    third = _get(conn, VERIFY + "3")
    conn.close()

    assert first[0] == second[0] == third[0] == 404
    assert json.loads(first[1])["code"] == "not_found"
    assert first[1] == second[1] == third[1]  # the same answer, whichever thread gave it
    assert login[0] == 200
    assert _answered_on(threads_file, 4) == {VERIFY + "1": "pool", VERIFY + "2": "polling", "/login/": "pool",
                                             VERIFY + "3": "polling"}


def test_a_request_head_not_fully_arrived_does_not_stall_the_worker(server: tuple[int, Path]) -> None:
    port, threads_file = server
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    slow.sendall(f"GET {VERIFY}1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert _read_response(slow).startswith(b"HTTP/1.1 404")
    # The next request on the kept-alive connection, cut short before the blank line.
    slow.sendall(f"GET {VERIFY}2 HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
    time.sleep(0.3)  # the worker's poller has seen the bytes

    other = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    assert _get(other, VERIFY + "3")[0] == 404
    assert _get(other, VERIFY + "4")[0] == 404
    other.close()

    slow.sendall(b"\r\n")
    assert _read_response(slow).startswith(b"HTTP/1.1 404")
    slow.close()
    # The cut-short request was handed to the pool, where a thread waited for its last bytes while
    # the other connection was accepted (pool) and its kept-alive request answered (polling thread).
    assert _answered_on(threads_file, 4) == {VERIFY + "1": "pool", VERIFY + "2": "pool", VERIFY + "3": "pool",
                                             VERIFY + "4": "polling"}


def test_a_verification_with_a_body_and_pipelined_requests_are_answered_in_order(
        server: tuple[int, Path]) -> None:
    port, threads_file = server
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET {VERIFY}1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert _read_response(sock).startswith(b"HTTP/1.1 404")
    # A body on a GET: the worker reads (drains) it, so the pool answers; the connection stays usable.
    sock.sendall(f"GET {VERIFY}2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello".encode())
    assert _read_response(sock).startswith(b"HTTP/1.1 404")
    # Two requests in one write: the second is read ahead by the parser, off the socket.
    sock.sendall(f"GET {VERIFY}3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert _read_response(sock).startswith(b"HTTP/1.1 404")
    assert _read_response(sock).startswith(b"HTTP/1.1 200")
    sock.close()
    assert _answered_on(threads_file, 4) == {VERIFY + "1": "pool", VERIFY + "2": "pool", VERIFY + "3": "polling",
                                             "/login/": "pool"}
