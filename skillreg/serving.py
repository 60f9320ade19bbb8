"""gunicorn's gthread worker, with the public certificate verification answered on its polling thread.

gunicorn's gthread worker hands every request from its polling thread to a pool thread and the
finished connection back (a queue, a pipe, and the GIL changing hands several times: ~129 futex
calls per request under wrk, bench/README.md figure 1). For the one request the whole country
makes — ``GET /api/v1/public/certificates/verify``, one indexed lookup, answered by the fast path
in front of Django (``certificates/fastpath.py``) in ~0.2 ms of CPU — the hand-off costs about as
much as the answer. This worker looks at the first bytes waiting on a kept-alive connection
(``MSG_PEEK``, nothing is consumed) and, when they are that request line, runs the worker's own
``handle`` for it on the polling thread, as gunicorn's sync worker runs every request; every other
request (staff pages, PDFs, imports, a new connection whose bytes have not arrived) goes to the
thread pool exactly as under gthread. The same code parses, answers, logs and keeps or closes the
connection either way; only the thread differs.

Serve with ``--worker-class skillreg.serving.ThreadWorker`` (README.md, Operations).
"""

from __future__ import annotations

import re
import socket
from concurrent import futures

from gunicorn.workers.gthread import ThreadWorker as GthreadWorker

# How much of the waiting bytes is looked at: a browser's or a client library's request head is
# a few hundred bytes; a longer one goes to the pool.
PEEK_BYTES = 4096
# A request announcing a body: the worker would wait for (or drain) it, so the pool answers it.
_BODY_HEADER = re.compile(rb"\r\n(content-length|transfer-encoding)[ \t]*:", re.IGNORECASE)


class ThreadWorker(GthreadWorker):
    # The request lines answered on the polling thread; none until the app is loaded.
    inline_prefixes: tuple[bytes, ...] = ()

    def load_wsgi(self):
        super().load_wsgi()
        # Imported here: this module is imported by gunicorn's arbiter before Django is set up.
        from skillreg.certificates.fastpath import PATH, VerifyFastPath

        # Only when the fast path answers (SKILLREG_VERIFY_FASTPATH, settings it mirrors): through
        # Django's whole request cycle the verification is an ordinary request for the pool. With
        # a query string, or without one (the fast path hands that to Django, a quick 422).
        if isinstance(self.wsgi, VerifyFastPath) and self.wsgi.enabled:
            self.inline_prefixes = (f"GET {PATH}?".encode(), f"GET {PATH} ".encode())

    def enqueue_req(self, conn):
        if self.inline_prefixes and self._inline(conn):
            done: futures.Future = futures.Future()
            try:
                done.set_result(self.handle(conn))
            except BaseException as exc:  # handle() catches what a request raises; this is belt and braces
                done.set_exception(exc)
            self.finish_request(conn, done)
            return
        super().enqueue_req(conn)

    def _inline(self, conn) -> bool:
        """Whether the whole request is the verification and already waiting on the socket.

        The polling thread must never wait for a client: a request whose head has not fully
        arrived (a slow or hostile client) would stall every connection of the worker, so only
        a complete head with no body is answered here. Not: a new connection (its first bytes
        may not have arrived; the pool waits for them with a timeout), TLS or HTTP/2 (the bytes
        on the socket are not the request), bytes the parser already read ahead (they are not on
        the socket).
        """
        if not conn.initialized or conn.is_http2 or conn.cfg.is_ssl or conn.parser.unreader.buf.getvalue():
            return False
        try:
            head = conn.sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:
            return False
        end = head.find(b"\r\n\r\n")
        return end > 0 and head.startswith(self.inline_prefixes) and not _BODY_HEADER.search(head, 0, end + 2)
