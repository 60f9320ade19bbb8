"""Where a verification request's time goes: the WSGI app called in-process, no network.

    .venv/bin/python -m bench.profile_verify [--scale small] [--profile]

Prints microseconds per request (median of several batches), queries per request, and with
--profile the top functions by cumulative time. Uses the bench database and the same
settings as the served app (skillreg.settings, DEBUG off, the rate limit raised).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
import urllib.parse

from bench.certificates import RATE_LIMIT_FOR_BENCH, db_name, samples_path
from bench.common import median, pg_url, scale_from_argv


def main() -> None:
    scale = scale_from_argv()
    os.environ.update({"DJANGO_SETTINGS_MODULE": "skillreg.settings", "SKILLREG_DEBUG": "0",
                       "SKILLREG_CACHE_URL": os.environ.get("BENCH_CACHE_URL", "db://skillreg_cache"),
                       "SKILLREG_SECRET_KEY": "bench-" + "x" * 50, "SKILLREG_ALLOWED_HOSTS": "127.0.0.1",
                       "SKILLREG_SSL_REDIRECT": "0", "SKILLREG_VERIFY_RATE_LIMIT": RATE_LIMIT_FOR_BENCH,
                       "DATABASE_URL": pg_url(db_name(scale)), "SKILLREG_LOG_LEVEL": os.environ.get(
                           "SKILLREG_LOG_LEVEL", "INFO")})
    import logging

    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = get_wsgi_application()
    from django.core.management import call_command

    call_command("createcachetable")  # the rate limiter's shared cache (production default)
    # The access log goes to stderr in production; here to a null stream, same formatting cost.
    for handler in logging.getLogger("skillreg").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())
    samples = json.loads(samples_path(scale).read_text())
    queries = [f"number={n}" for n in samples["numbers"][:500]]
    queries += [urllib.parse.urlencode({"id_number": i, "name": n}) for i, n in samples["holders"][:500]]

    def call(qs: str) -> int:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/public/certificates/verify",
                   "QUERY_STRING": qs, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
                   "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
                   "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
        status = []
        body = application(environ, lambda s, h, *a: status.append(s))
        b"".join(body)
        return int(status[0][:3])

    for qs in queries[:50]:
        assert call(qs) == 200, qs
    with CaptureQueriesContext(connection) as ctx:
        call(queries[0])
        call(queries[-1])
    print(f"queries for 2 requests: {len(ctx.captured_queries)}")
    for q in ctx.captured_queries:
        print("  ", q["sql"][:160])
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for qs in queries:
            call(qs)
        batches.append((time.perf_counter() - started) / len(queries) * 1e6)
    print(f"in-process: {median(batches):.0f} µs per request (median of 5 batches of {len(queries)})")
    if "--profile" in sys.argv:
        prof = cProfile.Profile()
        prof.enable()
        for qs in queries:
            call(qs)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
