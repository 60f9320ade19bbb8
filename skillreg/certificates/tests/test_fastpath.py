"""The lean WSGI path for the public verification (issue 8, figure 1) answers exactly as Django does.

Each request of the table goes once through the fast path and once through Django's own
handler (what ``SKILLREG_VERIFY_FASTPATH=0`` serves): the same status, the same body bytes and
the same headers, in the same order; the table also says which path answered, so that a fast
path which silently handed everything to Django would fail here too.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from skillreg.accounts.models import User
from skillreg.certificates import api
from skillreg.certificates.fastpath import PATH, VerifyFastPath, wrap
from skillreg.certificates.models import Certificate
from skillreg.certificates.services import certificate_revoke
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import NOW
from skillreg.core.logging import client_ip_var, request_id_var

pytestmark = pytest.mark.django_db

ID = make_id("150302", "19880315", 41)
TWICE = make_id("150302", "19750101", 77)  # holds two certificates: the number is needed (409)
# A valid number whose check character is X (verifiers type it in lower case).
X_ID = next(i for i in (make_id("150302", "19920202", s) for s in range(1000)) if i.endswith("X"))
TRACE = "trace-0001-fastpath"

Response = tuple[str, list[tuple[str, str]], bytes]


@pytest.fixture
def certs(nm_user: User, issue: Callable[..., list[Certificate]], wh_official: User) -> dict[str, Certificate]:
    made = issue(nm_user, holders=[("张伟", ID), ("李娜", X_ID), ("王芳", TWICE)], level=4)
    made += issue(nm_user, holders=[("王芳", TWICE), ("赵强", make_id(seq=555))], level=3)
    revoked = certificate_revoke(actor=wh_official, certificate=made[4], reason="违规发放", at=NOW)
    return {"valid": made[0], "x": made[1], "revoked": revoked}


@pytest.fixture
def no_connection_recycling() -> Iterator[None]:
    """As Django's test client does: a test's transaction must survive the request signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Spy:
    """Django's handler, counting the requests it answers."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


def call(app: Callable[..., Any], query: str = "", *, method: str = "GET", host: str = "testserver",
         secure: bool = False, remote: str = "127.0.0.1", path: str = PATH,
         request_id: str | None = TRACE) -> Response:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "443" if secure else "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host, "REMOTE_ADDR": remote, "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if request_id is not None:
        environ["HTTP_X_REQUEST_ID"] = request_id
    started: list[tuple[str, list[tuple[str, str]]]] = []
    result = app(environ, lambda status, headers, exc_info=None: started.append((status, list(headers))))
    try:
        body = b"".join(result)
    finally:
        result.close()
    return started[0][0], started[0][1], body


def _q(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# (case, query string, method, host, secure, answered by the fast path, expected status)
CASES: list[tuple[str, Callable[[dict[str, Certificate]], str], str, str, bool, bool, int]] = [
    ("by number", lambda c: _q(number=c["valid"].number), "GET", "testserver", False, True, 200),
    ("by number, lower case and spaces", lambda c: _q(number=f" {c['valid'].number.lower()} "), "GET",
     "testserver", False, True, 200),
    ("by number, full-width", lambda c: _q(number=c["valid"].number.translate(
        {ord(ch): ord(ch) + 0xFEE0 for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})), "GET", "testserver",
     False, True, 200),
    ("by ID number and name", lambda c: _q(id_number=ID, name="张伟"), "GET", "testserver", False, True, 200),
    ("ID number with lower-case x", lambda c: _q(id_number=X_ID.lower(), name=" 李娜 "), "GET", "testserver",
     False, True, 200),
    ("revoked, by number", lambda c: _q(number=c["revoked"].number), "GET", "testserver", False, True, 200),
    ("revoked, by holder", lambda c: _q(id_number=make_id(seq=555), name="赵强"), "GET", "testserver", False,
     True, 200),
    ("missing number", lambda c: _q(number="S000015000007264999999"), "GET", "testserver", False, True, 404),
    ("wrong name", lambda c: _q(id_number=ID, name="张玮"), "GET", "testserver", False, True, 404),
    ("unknown ID number", lambda c: _q(id_number=make_id(seq=999), name="张伟"), "GET", "testserver", False,
     True, 404),
    ("several certificates", lambda c: _q(id_number=TWICE, name="王芳"), "GET", "testserver", False, True, 409),
    ("malformed number", lambda c: _q(number="<script>'; --"), "GET", "testserver", False, True, 404),
    ("empty number", lambda c: "number=", "GET", "testserver", False, True, 422),
    ("bad check digit", lambda c: _q(id_number=ID[:-1] + ("0" if ID[-1] != "0" else "1"), name="张伟"), "GET",
     "testserver", False, True, 422),
    ("name too long for the rules", lambda c: _q(id_number=ID, name="张" * 55), "GET", "testserver", False, True,
     422),
    ("no parameters", lambda c: "", "GET", "testserver", False, True, 422),
    ("ID number only", lambda c: _q(id_number=ID), "GET", "testserver", False, True, 422),
    ("name only", lambda c: _q(name="张伟"), "GET", "testserver", False, True, 422),
    ("both ways at once", lambda c: _q(number=c["valid"].number, id_number=ID, name="张伟"), "GET", "testserver",
     False, True, 422),
    ("repeated key: the last counts", lambda c: f"number=NOPE&number={c['valid'].number}", "GET", "testserver",
     False, True, 200),
    ("unknown parameters are ignored", lambda c: _q(number=c["valid"].number, page="2"), "GET", "testserver",
     False, True, 200),
    ("broken UTF-8 in the name", lambda c: f"id_number={ID}&name=%E5%BC%A0%FF", "GET", "testserver", False,
     True, 404),
    # PostgreSQL refuses NUL in text: refused as input, never a 500.
    ("NUL in the number", lambda c: "number=AB%00C", "GET", "testserver", False, True, 422),
    ("NUL in the name", lambda c: f"id_number={ID}&name=%E7%8E%8B%00%E6%9F%90", "GET", "testserver", False,
     True, 422),
    ("over the schema's length (ninja's 422)", lambda c: _q(number="A" * 41), "GET", "testserver", False, False,
     422),
    ("ID number over the schema's length", lambda c: _q(id_number="1" * 31, name="张伟"), "GET", "testserver",
     False, False, 422),
    ("HEAD", lambda c: _q(number=c["valid"].number), "HEAD", "testserver", False, False, 405),
    ("POST", lambda c: _q(number=c["valid"].number), "POST", "testserver", False, False, 405),
    ("foreign Host", lambda c: _q(number=c["valid"].number), "GET", "evil.example", False, False, 400),
    ("over HTTPS (HSTS)", lambda c: _q(number=c["valid"].number), "GET", "testserver", True, True, 200),
]


@pytest.fixture
def apps(settings: Any, no_connection_recycling: None) -> tuple[Callable[..., Any], Spy]:
    # Production's transport headers (test settings run with DEBUG, which turns HSTS off).
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SKILLREG_VERIFY_FASTPATH = False
    plain = wrap(WSGIHandler())  # switched off: Django's handler itself
    assert isinstance(plain, WSGIHandler)
    spy = Spy()
    fast = VerifyFastPath(spy)
    assert fast.enabled
    return plain, spy


@pytest.mark.parametrize(("case", "query", "method", "host", "secure", "fast_answers", "status"), CASES,
                         ids=[c[0] for c in CASES])
def test_the_fast_path_answers_exactly_as_django(
        apps: tuple[Callable[..., Any], Spy], certs: dict[str, Certificate], case: str,
        query: Callable[[dict[str, Certificate]], str], method: str, host: str, secure: bool,
        fast_answers: bool, status: int) -> None:
    plain, spy = apps
    fast = VerifyFastPath(spy)
    qs = query(certs)
    cache.clear()
    expected = call(plain, qs, method=method, host=host, secure=secure)
    cache.clear()
    got = call(fast, qs, method=method, host=host, secure=secure)
    assert int(expected[0][:3]) == status, expected
    assert got[0] == expected[0]
    assert got[2] == expected[2]
    assert got[1] == expected[1]  # every header, its value and its place
    assert spy.calls == (0 if fast_answers else 1), "answered by the wrong path"
    headers = dict(got[1])
    if method == "GET" and host == "testserver":
        assert headers["X-Request-ID"] == TRACE and headers["X-Content-Type-Options"] == "nosniff"
        assert ("Strict-Transport-Security" in headers) is secure
    assert ID.encode() not in got[2] and X_ID.encode() not in got[2]


def test_a_fresh_request_id_when_the_callers_is_unsafe(apps: tuple[Callable[..., Any], Spy],
                                                        certs: dict[str, Certificate]) -> None:
    _, spy = apps
    fast = VerifyFastPath(spy)
    for request_id in (None, "bad id with spaces\n", "x" * 65):
        _, headers, _ = call(fast, _q(number=certs["valid"].number), request_id=request_id)
        value = dict(headers)["X-Request-ID"]
        assert len(value) == 32 and value.isalnum() and value != request_id
    assert spy.calls == 0


def test_the_rate_limit_counts_both_paths_as_one(apps: tuple[Callable[..., Any], Spy], certs: dict[str, Certificate],
                                                 settings: Any) -> None:
    settings.SKILLREG_VERIFY_RATE_LIMIT = 4
    plain, spy = apps
    fast = VerifyFastPath(spy)
    query = _q(number=certs["valid"].number)
    cache.clear()
    statuses = [call(app, query)[0][:3] for app in (fast, plain, fast, plain)]
    assert statuses == ["200"] * 4
    refused_fast = call(fast, query)
    refused_plain = call(plain, query)
    assert refused_fast[0].startswith("429") and refused_plain[0].startswith("429")
    assert refused_fast[2] == refused_plain[2] and refused_fast[1] == refused_plain[1]
    assert b'"code": "rate_limited"' in refused_fast[2] and b'"limit": 4' in refused_fast[2]
    assert int(dict(refused_fast[1])["Retry-After"]) >= 1
    # Another address has its own count, whichever path serves it.
    assert call(fast, query, remote="10.0.0.9")[0].startswith("200")
    assert spy.calls == 0


def test_each_lookup_is_logged_once_alike_and_never_with_the_id_number(
        apps: tuple[Callable[..., Any], Spy], certs: dict[str, Certificate],
        caplog: pytest.LogCaptureFixture) -> None:
    plain, spy = apps
    fast = VerifyFastPath(spy)
    seen: list[tuple[str | None, str | None]] = []

    class Context(logging.Handler):  # what the request-context filter reads at emit time
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((request_id_var.get(), client_ip_var.get()))

    context = Context()
    logging.getLogger("skillreg.request").addHandler(context)
    fields = ("method", "path", "status")
    queries = [_q(id_number=ID, name="张伟"), _q(id_number=X_ID.lower(), name="李娜"), _q(id_number=ID),
               _q(id_number=ID[:-1] + "0", name="张伟"), _q(id_number=ID, name="张玮")]
    try:
        with caplog.at_level("DEBUG"):
            records = []
            for app in (plain, fast):
                caplog.clear()
                cache.clear()
                for qs in queries:
                    call(app, qs, remote="10.1.2.3")
                records.append([(r.name, r.levelname, r.getMessage(), *(getattr(r, k) for k in fields))
                                for r in caplog.records if r.name == "skillreg.request"])
            # Nothing the fast path logs carries the ID number. (Django's handler also writes a
            # django.request WARNING per 4xx whose ``request`` object prints the query string:
            # the fast path does not write that line.)
            for text in (caplog.text, *(str(r.__dict__) for r in caplog.records)):
                assert ID not in text and X_ID not in text and X_ID.lower() not in text
    finally:
        logging.getLogger("skillreg.request").removeHandler(context)
    assert records[0] == records[1] and len(records[1]) == len(queries)
    assert [r[4] for r in records[1]] == [PATH] * len(queries)  # the path, never the query string
    assert seen == [(TRACE, "10.1.2.3")] * (2 * len(queries))
    assert spy.calls == 0


def test_one_query_and_the_request_signals(apps: tuple[Callable[..., Any], Spy], certs: dict[str, Certificate],
                                           django_assert_num_queries: Any) -> None:
    _, spy = apps
    fast = VerifyFastPath(spy)
    sent: list[str] = []

    def started(**kwargs: Any) -> None:
        sent.append("started")

    def finished(**kwargs: Any) -> None:
        sent.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        with django_assert_num_queries(1):  # the lookup; the counter is in the cache
            status, _, _ = call(fast, _q(number=certs["valid"].number))
        assert status.startswith("200")
        call(fast, "")  # 422: counted, no lookup
        call(fast, _q(number="A" * 41))  # Django's answer: Django sends the signals itself
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert sent == ["started", "finished"] * 3
    assert spy.calls == 1


def test_the_switch_and_the_path(settings: Any) -> None:
    settings.SKILLREG_VERIFY_FASTPATH = True
    django = WSGIHandler()
    assert isinstance(wrap(django), VerifyFastPath)
    settings.SKILLREG_VERIFY_FASTPATH = False
    assert wrap(django) is django
    # The path the fast path answers is the one Django routes to certificates.api.verify.
    match = resolve(PATH)
    path_view = next(c.cell_contents for c in match.func.__closure__ or ())  # ninja's PathView
    assert [op.view_func for op in path_view.operations] == [api.verify]
    assert path_view.operations[0].methods == ["GET"]
    # Without the lean public chain (whose headers it copies) it stands aside.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("LeanPublicPathMiddleware")]
    assert not VerifyFastPath(django).enabled


def test_an_https_redirect_is_django_s(settings: Any, certs: dict[str, Certificate],
                                       no_connection_recycling: None) -> None:
    settings.SECURE_SSL_REDIRECT = True
    spy = Spy()
    status, headers, _ = call(VerifyFastPath(spy), _q(number=certs["valid"].number))
    assert status.startswith("301") and dict(headers)["Location"].startswith("https://testserver/")
    assert spy.calls == 1


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_it_reads_the_replica_and_recycles_connections(
        settings: Any, nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    cert = issue(nm_user, holders=[("张伟", ID)], level=4)[0]
    settings.SKILLREG_PUBLIC_READ_DB = "replica"
    fast = VerifyFastPath(Spy())
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        status, _, body = call(fast, _q(number=cert.number))
    assert status.startswith("200") and "张伟".encode("unicode_escape") in body
    assert "certificates_certificate" in " ".join(q["sql"] for q in replica.captured_queries)
    assert "certificates_certificate" not in " ".join(q["sql"] for q in primary.captured_queries)
    if connection.vendor != "postgresql":
        return  # an in-memory SQLite test database is never closed
    settings.SKILLREG_PUBLIC_READ_DB = None
    old = connection.settings_dict["CONN_MAX_AGE"]
    try:
        # CONN_MAX_AGE applies from the next connection on (Django computes close_at at connect).
        connection.settings_dict["CONN_MAX_AGE"] = 60
        connection.close()
        call(fast, _q(number=cert.number))
        kept = connection.connection
        assert kept is not None
        call(fast, _q(number=cert.number))
        assert connection.connection is kept  # kept open and reused, as under Django
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
        call(fast, _q(number=cert.number))
        assert connection.connection is None  # closed when the response was closed
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = old
