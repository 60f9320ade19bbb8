"""Serve bench.baseline_asgi with N uvicorn worker processes on one port (SO_REUSEPORT).

Not ``uvicorn --workers N``: its multi-process mode binds the socket with proto 0, asyncio
then leaves Nagle's algorithm on for accepted connections, and every keep-alive response
(headers and body written separately) waits ~40 ms for the client's delayed ACK: the floor
would measure that artefact (measured here: 44 ms per request, 22 req/s on one connection).
Each process here binds its own SO_REUSEPORT socket with proto IPPROTO_TCP; the kernel
spreads the connections.

    python -m bench.baseline_server PORT WORKERS
"""

from __future__ import annotations

import os
import socket
import sys


def _child(port: int) -> None:
    import uvicorn

    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets whose proto says TCP
    # (base_events._set_nodelay); a socket made with proto 0, as uvicorn's bind_socket makes
    # it, gives accepted connections with Nagle on.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    config = uvicorn.Config("bench.baseline_asgi:app", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            _child(port)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
