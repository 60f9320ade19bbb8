"""Which requests ``skillreg.serving.ThreadWorker`` answers on its polling thread: its decision
(``_inline``) on real loopback TCP connections, one case per way a client could make the polling
thread wait. ``test_serving.py`` serves the app with the worker and checks the same end to end.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import TConn

from skillreg.serving import ThreadWorker

PATH = "/api/v1/public/certificates/verify"
VERIFY = f"GET {PATH}?number=S000000000000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


class Pair:
    """A client socket and the worker's connection for it, both ends real."""

    def __init__(self, listener: socket.socket, cfg: Config) -> None:
        self.client = socket.create_connection(listener.getsockname(), timeout=5)
        server, address = listener.accept()
        self.conn = TConn(cfg, server, address, listener.getsockname())
        self.conn.init()  # as after the connection's first request: kept alive, parser ready

    def arrived(self, data: bytes) -> None:
        """Sent by the client and waiting on the worker's socket."""
        self.client.sendall(data)
        peeked = b""
        while len(peeked) < len(data):
            peeked = self.conn.sock.recv(len(data), socket.MSG_PEEK)


@pytest.fixture
def worker() -> Iterator[ThreadWorker]:
    cfg = Config()
    worker = ThreadWorker(0, os.getpid(), [], None, 30, cfg, logging.getLogger("test"))
    # What load_wsgi sets when the fast path serves (SKILLREG_VERIFY_FASTPATH on).
    worker.inline_prefixes = (f"GET {PATH}?".encode(), f"GET {PATH} ".encode())
    yield worker
    worker.tmp.close()


@pytest.fixture
def pair(worker: ThreadWorker) -> Iterator[Pair]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        pair = Pair(listener, worker.cfg)
        yield pair
        pair.client.close()
        pair.conn.close()


def test_a_whole_verification_request_is_answered_on_the_polling_thread(worker: ThreadWorker, pair: Pair) -> None:
    pair.arrived(VERIFY)
    assert worker._inline(pair.conn)
    assert pair.conn.sock.recv(len(VERIFY)) == VERIFY  # only peeked: the parser reads it all


def test_nothing_waiting_and_other_requests_go_to_the_pool(worker: ThreadWorker, pair: Pair) -> None:
    assert not worker._inline(pair.conn)  # nothing arrived: no wait on the polling thread
    pair.arrived(b"GET /api/v1/public/institutions?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert not worker._inline(pair.conn)


@pytest.mark.parametrize("head", [
    VERIFY[:-2],  # the blank line not yet arrived: the parser would wait for it
    VERIFY[:20],  # the request line cut short
    VERIFY[:-2] + b"Content-Length: 5\r\n\r\nhello",  # a body to read or drain
    VERIFY[:-2] + b"transfer-encoding: chunked\r\n\r\n",
    VERIFY[:-2] + b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n",  # would stay on the thread as HTTP/2
    f"POST {PATH}?number=S1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
    f"GET {PATH}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
], ids=["head-cut", "line-cut", "content-length", "chunked", "upgrade", "post", "longer-path"])
def test_a_request_that_could_make_the_polling_thread_wait_goes_to_the_pool(
        worker: ThreadWorker, pair: Pair, head: bytes) -> None:
    pair.arrived(head)
    assert not worker._inline(pair.conn)


def test_bytes_the_parser_read_ahead_go_to_the_pool(worker: ThreadWorker, pair: Pair) -> None:
    pair.arrived(VERIFY)
    pair.conn.parser.unreader.unread(b"GET /")  # a pipelined request's start, read with the last one
    assert not worker._inline(pair.conn)


def test_a_client_that_has_not_taken_what_was_sent_goes_to_the_pool(worker: ThreadWorker, pair: Pair) -> None:
    """Writing the answer could block until it reads; the polling thread must not."""
    pair.client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    pair.conn.sock.setblocking(False)
    with pytest.raises(BlockingIOError):  # its window and the worker's send buffer full
        while True:
            pair.conn.sock.send(b"x" * 65536)
    pair.arrived(VERIFY)
    assert not worker._inline(pair.conn)


def test_a_worker_not_serving_the_fast_path_answers_nothing_on_the_polling_thread(
        worker: ThreadWorker, pair: Pair) -> None:
    worker.inline_prefixes = ()  # SKILLREG_VERIFY_FASTPATH=0: the verification is Django's, like any request
    pair.arrived(VERIFY)
    assert not worker._inline(pair.conn)
