"""Where a verification request's time goes: the WSGI app called in-process, no network.

    .venv/bin/python -m bench.profile_verify [--scale small] [--profile]

Prints microseconds per request (median of several batches) for the served application
(``skillreg.wsgi``: the verification fast path in front of Django) and for Django's handler
alone (what ``SKILLREG_VERIFY_FASTPATH=0`` serves), alternating, queries per request, and with
--profile the top functions by cumulative time (``--profile-django``: of Django's path;
``BENCH_PROFILE_KIND=number`` or ``holder``: of one lookup only). Each lookup is timed apart. Uses
the bench database and the same settings as the served app (skillreg.settings, DEBUG off, the
rate limit raised).
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

    django_app = get_wsgi_application()
    from skillreg.certificates.fastpath import wrap

    served = wrap(django_app)
    from django.core.management import call_command

    call_command("createcachetable")  # the rate limiter's shared cache (production default)
    # The access log goes to stderr in production; here to a null stream, same formatting cost.
    for handler in logging.getLogger("skillreg").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())
    samples = json.loads(samples_path(scale).read_text())
    by_kind = {"number": [f"number={n}" for n in samples["numbers"][:500]],
               "holder": [urllib.parse.urlencode({"id_number": i, "name": n}) for i, n in samples["holders"][:500]]}
    queries = by_kind["number"] + by_kind["holder"]

    def call(qs: str, application: object = served) -> int:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/public/certificates/verify",
                   "QUERY_STRING": qs, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
                   "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
                   "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
        status = []
        body = application(environ, lambda s, h, *a: status.append(s))  # type: ignore[operator]
        b"".join(body)
        body.close()  # the server does: request_finished (connections per CONN_MAX_AGE)
        return int(status[0][:3])

    for app in (served, django_app):
        for qs in queries[:50]:
            assert call(qs, app) == 200, qs
        with CaptureQueriesContext(connection) as ctx:
            call(queries[0], app)
            call(queries[-1], app)
        print(f"{'fast path' if app is served else 'Django'}: queries for 2 requests: {len(ctx.captured_queries)}")
    # Wall time waits on Redis and PostgreSQL (other processes, slow on a loaded machine);
    # this process's CPU time is the framework's own cost.
    # Both lookups in turn (figure 1 measures them apart), each app in turn within a lookup.
    runs = [(f"{label}, by {kind}", app, by_kind[kind]) for kind in by_kind
            for label, app in (("fast path", served), ("Django", django_app))]
    batches: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in runs}
    for _ in range(5):
        for label, app, kind_queries in runs:
            started, cpu = time.perf_counter(), time.process_time()
            for qs in kind_queries:
                call(qs, app)
            batches[label].append(((time.perf_counter() - started) / len(kind_queries) * 1e6,
                                   (time.process_time() - cpu) / len(kind_queries) * 1e6))
    for label, values in batches.items():
        print(f"in-process, {label}: {median([v[0] for v in values]):.0f} µs wall, "
              f"{median([v[1] for v in values]):.0f} µs CPU per request (medians of 5 batches)")
    print(f"load average {os.getloadavg()[0]:.2f}")
    if "--profile" in sys.argv or "--profile-django" in sys.argv:
        app = django_app if "--profile-django" in sys.argv else served
        prof = cProfile.Profile()
        prof.enable()
        for qs in by_kind.get(os.environ.get("BENCH_PROFILE_KIND", ""), queries):
            call(qs, app)
        prof.disable()
        pstats.Stats(prof).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()
