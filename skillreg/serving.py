"""gunicorn's gthread worker, with the public certificate verification answered on its polling thread.

gunicorn's gthread worker hands every request from its polling thread to a pool thread and the
finished connection back (a queue, a pipe, and the GIL changing hands several times: ~129 futex
calls per request under wrk, bench/README.md figure 1). For the one request the whole country
makes — ``GET /api/v1/public/certificates/verify``, one indexed lookup, answered by the fast path
in front of Django (``certificates/fastpath.py``) in a few tenths of a millisecond of CPU — the
hand-off costs about as much as the answer. This worker looks at the first bytes waiting on a kept-alive connection
(``MSG_PEEK``, nothing is consumed) and, when they are that request line, runs the worker's own
``handle`` for it on the polling thread, as gunicorn's sync worker runs every request; every other
request (staff pages, PDFs, imports, every new connection's first request) goes to the thread
pool exactly as under gthread. The same code parses, answers, logs and keeps or closes the
connection either way; only the thread differs.

While the polling thread answers, the worker's other connections wait, so it answers only what
cannot make it wait: a request fully arrived, announcing no body, on a connection that has taken
every byte sent to it (a client that stops reading would block the write); and it stops
answering for ``PAUSE_SECONDS`` as soon as its answers in one round of the poller have taken
longer than ``SKILLREG_VERIFY_INLINE_SLOW_MS`` (a database or cache that is slow or down), so
the threads wait instead and the polling thread keeps accepting and reporting to the arbiter.

Serve with ``--worker-class skillreg.serving.ThreadWorker`` (README.md, Operations).
"""

from __future__ import annotations

import fcntl
import re
import socket
import struct
import termios
import time
from concurrent import futures

from gunicorn.workers.gthread import ThreadWorker as GthreadWorker

# How much of the waiting bytes is looked at: a browser's or a client library's request head is
# a few hundred bytes; a longer one goes to the pool.
PEEK_BYTES = 4096
# A request announcing a body (the worker would wait for or drain it), or asking to switch
# protocols (h2c: the connection would stay on the polling thread): the pool answers it.
_POOL_HEADER = re.compile(rb"\r\n(content-length|transfer-encoding|upgrade)[ \t]*:", re.IGNORECASE)
# After answers that took too long, the pool answers every request for this long.
PAUSE_SECONDS = 10.0


class ThreadWorker(GthreadWorker):
    # The request lines answered on the polling thread; none until the app is loaded.
    inline_prefixes: tuple[bytes, ...] = ()
    # SKILLREG_VERIFY_INLINE_SLOW_MS, in seconds.
    inline_slow = 0.5
    _inline_spent = 0.0  # in the current round of the poller
    _paused_until = 0.0

    def load_wsgi(self) -> None:
        super().load_wsgi()
        # Imported here: this module is imported by gunicorn's arbiter before Django is set up.
        from django.conf import settings

        from skillreg.certificates.fastpath import PATH, VerifyFastPath

        # Only when the fast path answers (SKILLREG_VERIFY_FASTPATH, settings it mirrors): through
        # Django's whole request cycle the verification is an ordinary request for the pool. With
        # a query string, or without one (the fast path hands that to Django, a quick 422).
        if isinstance(self.wsgi, VerifyFastPath) and self.wsgi.enabled:
            self.inline_prefixes = (f"GET {PATH}?".encode(), f"GET {PATH} ".encode())
        self.inline_slow = settings.SKILLREG_VERIFY_INLINE_SLOW_MS / 1000

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        self._inline_spent = 0.0
        super().wait_for_and_dispatch_events(timeout)

    def enqueue_req(self, conn) -> None:  # conn: gunicorn's TConn
        started = time.monotonic()
        if not (self.inline_prefixes and started >= self._paused_until and self._inline(conn)):
            super().enqueue_req(conn)
            return
        done: futures.Future = futures.Future()
        try:
            done.set_result(self.handle(conn))
        except BaseException as exc:  # handle() catches what a request raises; SystemExit is re-raised below
            done.set_exception(exc)
        elapsed = time.monotonic() - started
        self._inline_spent += elapsed
        if self._inline_spent > self.inline_slow:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            self.log.warning("verifications on the polling thread took %.3f s in one round (the last %.3f s): "
                             "answered by the threads for the next %.0f s", self._inline_spent, elapsed, PAUSE_SECONDS)
        self.finish_request(conn, done)

    def _inline(self, conn) -> bool:
        """Whether the whole request is the verification, already waiting on the socket, and can be
        answered without waiting for the client.

        Not: a new connection (its first bytes may not have arrived; the pool waits for them with
        a timeout), TLS or HTTP/2 (the bytes on the socket are not the request), bytes the parser
        already read ahead (they are not on the socket), a head not fully arrived (a slow or
        hostile client), a connection with sent bytes not yet taken by the client (the answer's
        write could block).
        """
        if not conn.initialized or conn.is_http2 or conn.cfg.is_ssl or conn.parser.unreader.buf.getvalue():
            return False
        try:
            head = conn.sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            end = head.find(b"\r\n\r\n")
            if end <= 0 or not head.startswith(self.inline_prefixes) or _POOL_HEADER.search(head, 0, end + 2):
                return False
            # Bytes sent and not yet acknowledged: a client that has read every answer has none. With
            # none, the answer (under 1 KB) fits in the socket's send buffer (16 KB at least).
            unacknowledged = struct.unpack("i", fcntl.ioctl(conn.sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        except OSError:
            return False
        return unacknowledged == 0
