"""The verification lookup on PostgreSQL sent through psycopg's libpq connection (issue 8, figure 1):
the same rows, types and errors as through a cursor, and only where a cursor would add nothing
(autocommit, no transaction open, Django not logging queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, DataError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import User
from skillreg.certificates import selectors as sel
from skillreg.certificates.models import Certificate
from skillreg.certificates.services import certificate_revoke
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import NOW

POSTGRES = connection.vendor == "postgresql"
on_postgres = pytest.mark.skipif(not POSTGRES, reason="the direct lookup is PostgreSQL's; SQLite uses the cursor")
ID = make_id("150302", "19880315", 41)
TWICE = make_id("150302", "19900101", 7)


@pytest.fixture
def certs(nm_user: User, issue: Callable[..., list[Certificate]]) -> list[Certificate]:
    first = issue(nm_user, holders=[("张伟", ID), ("李娜", TWICE)], level=4)
    return first + issue(nm_user, holders=[("李娜", TWICE)], level=3)


def _through_cursor(sql: str, values: list[str]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


@on_postgres
@pytest.mark.django_db
def test_it_reads_the_rows_a_cursor_reads(certs: list[Certificate], wh_official: User) -> None:
    certificate_revoke(actor=wh_official, certificate=certs[0], reason="违规发放", at=NOW)
    cases = [("number", {"number": certs[0].number}),  # revoked: found, and says so
             ("number", {"number": certs[1].number}),
             ("number", {"number": "S000000000000000000000"}),  # none
             ("holder", {"id_number": TWICE, "holder_name": "李娜"}),  # two certificates
             ("holder", {"id_number": ID, "holder_name": "王芳"})]  # the wrong name: none
    for kind, params in cases:
        sql, names, numbered = sel._lookup_sql(kind, "postgresql")
        values = [params[name] for name in names]
        direct, cursor = sel._pg_rows(connection, numbered, values), _through_cursor(sql, values)
        assert direct == cursor, (kind, params)
        # Equal is not enough (4 == Decimal(4)): each value of the same type as the cursor's.
        assert [[type(v) for v in row] for row in direct] == [[type(v) for v in row] for row in cursor]
    row = sel._pg_rows(connection, *_number_lookup(certs[0].number))[0]
    assert row[VERIFY_INDEX["issued_on"]] == dt.date(2026, 11, 20) and row[VERIFY_INDEX["level"]] == 4
    assert row[VERIFY_INDEX["status"]] == "revoked"


VERIFY_INDEX = {name: i for i, name in enumerate(sel.VERIFY_COLUMNS)}


def _number_lookup(number: str) -> tuple[sel.LibpqStatement, list[str]]:
    _sql, _names, numbered = sel._lookup_sql("number", "postgresql")
    return numbered, [number]


def test_placeholders_are_numbered_as_libpq_numbers_them() -> None:
    assert sel.libpq_sql("SELECT '100%%' || %s WHERE a = %s AND b LIKE '%%s'").query == \
        b"SELECT '100%' || $1 WHERE a = $2 AND b LIKE '%s'"


@on_postgres
@pytest.mark.django_db
def test_a_database_error_is_djangos_and_marks_the_connection_for_its_health_check() -> None:
    try:
        with pytest.raises(ProgrammingError, match="certificates_nowhere"):
            sel._pg_rows(connection, sel.libpq_sql('SELECT 1 FROM "certificates_nowhere" WHERE %s = %s'), ["a", "a"])
        assert connection.errors_occurred  # Django checks the connection before reusing it
    finally:
        connection.errors_occurred = False


@on_postgres
@pytest.mark.django_db
def test_a_nul_byte_is_refused_as_a_cursor_refuses_it_not_cut_short(certs: list[Certificate]) -> None:
    # libpq takes text parameters as C strings: sent as is, "number\0…" would be looked up as "number".
    with pytest.raises(DataError, match="NUL"):
        sel._pg_rows(connection, *_number_lookup(certs[0].number + "\x00X"))
    with pytest.raises(DataError, match="NUL"):
        _through_cursor(sel._lookup_sql("number", "postgresql")[0], [certs[0].number + "\x00X"])


@pytest.mark.django_db(transaction=True)
def test_it_is_taken_only_in_autocommit_with_no_transaction_and_no_query_log(
        certs: list[Certificate]) -> None:
    assert sel._direct(connection) is POSTGRES  # SQLite: always the cursor
    with transaction.atomic():  # psycopg would begin the transaction first: Django's cursor does
        assert not sel._direct(connection)
    with CaptureQueriesContext(connection) as queries:  # DEBUG, or a test counting: the cursor logs it
        assert not sel._direct(connection)
        sel.verify(number=certs[0].number, id_number=None, name=None)
    assert len(queries) == 1
    # Served as production serves it: the direct path, the same answer the page and API give.
    found = sel.verify(number=None, id_number=ID, name="张伟")
    assert (found.holder_name, found.level_label, found.issued_on, found.status_label) == \
        ("张伟", "中级", dt.date(2026, 11, 20), "有效")
    with pytest.raises(sel.SeveralCertificates):
        sel.verify(number=None, id_number=TWICE, name="李娜")


def _calls_to_pg_rows(monkeypatch: pytest.MonkeyPatch) -> list[sel.LibpqStatement]:
    calls: list[sel.LibpqStatement] = []
    real = sel._pg_rows

    def counted(conn: object, statement: sel.LibpqStatement, values: list[str]) -> list[tuple[object, ...]]:
        calls.append(statement)
        return real(conn, statement, values)

    monkeypatch.setattr(sel, "_pg_rows", counted)
    return calls


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_verify_goes_straight_to_libpq_in_autocommit_and_through_the_cursor_otherwise(
        certs: list[Certificate], monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _calls_to_pg_rows(monkeypatch)
    assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    assert len(calls) == 1
    raw = connection.connection
    raw.execute("BEGIN")  # psycopg's own transaction, which Django's autocommit flag does not see
    try:
        assert connection.get_autocommit() and not sel._direct(connection)
    finally:
        raw.execute("ROLLBACK")
    seen: list[str] = []

    def traced(execute: Callable[..., object], sql: str, params: object, many: bool, context: object) -> object:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(traced):  # instrumentation (tracing, query budgets) sees the query
        assert not sel._direct(connection)
        sel.verify(number=certs[0].number, id_number=None, name=None)
    assert len(seen) == 1 and len(calls) == 1
    assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    assert len(calls) == 2


@pytest.fixture
def lost(certs: list[Certificate], monkeypatch: pytest.MonkeyPatch) -> list[sel.LibpqStatement]:
    """The server has ended this connection's session (a restart, a failover, an idle timeout);
    the direct lookup's calls from then on."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                         dbname=s["NAME"], autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone() == (True,)
    return _calls_to_pg_rows(monkeypatch)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_fails_as_djangos_error_and_the_next_request_reconnects(
        certs: list[Certificate], lost: list[sel.LibpqStatement]) -> None:
    calls = lost
    with pytest.raises(DatabaseError):
        sel.verify(number=certs[0].number, id_number=None, name=None)
    assert len(calls) == 1 and connection.errors_occurred
    connection.close_if_unusable_or_obsolete()  # what request_finished runs
    assert connection.connection is None
    assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    assert len(calls) == 2


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_with_conn_health_checks_a_connection_the_server_closed_is_replaced_first(
        certs: list[Certificate], lost: list[sel.LibpqStatement]) -> None:
    calls = lost
    connection.health_check_enabled = True  # CONN_HEALTH_CHECKS (read at connect)
    connection.health_check_done = False  # a new request (request_started resets it)
    try:
        assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    finally:
        connection.health_check_enabled = False
    assert len(calls) == 1


def _prepared_here() -> dict[str, str]:
    """This session's prepared statements: name → SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_each_lookup_is_prepared_once_per_connection_and_survives_losing_it(
        certs: list[Certificate]) -> None:
    """Planned once per connection, as the floor's asyncpg does (issue 8, figure 1); a session
    that lost its statements (a pooler's DISCARD ALL, DEALLOCATE) prepares them again."""
    def lookups() -> None:
        assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
        assert sel.verify(number=None, id_number=ID, name="张伟").level_label == "中级"

    lookups()
    lookups()
    mine = {name: sql for name, sql in _prepared_here().items() if name.startswith("skillreg_")}
    assert sorted(mine.values()) == sorted(sel._lookup_sql(kind, "postgresql")[2].query.decode()
                                           for kind in ("holder", "number"))
    connection.connection.execute("DEALLOCATE ALL")
    lookups()
    assert mine.items() <= _prepared_here().items()
    # A session that holds the statement already (a pooler's server connection prepared it for
    # another client): the name is the SQL's digest, so it is used as it is.
    sel._PREPARED.pop(connection.connection)
    lookups()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_table_changed_under_it_is_prepared_again(certs: list[Certificate]) -> None:
    assert sel.verify(number=certs[0].number, id_number=None, name=None).occupation
    with connection.cursor() as cursor:  # a migration's kind of change: the result type differs
        cursor.execute("ALTER TABLE certificates_certificate ALTER COLUMN occupation TYPE text")
    try:
        assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE certificates_certificate ALTER COLUMN occupation TYPE varchar(100)")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_with_prepared_statements_off_nothing_is_prepared(
        certs: list[Certificate], settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SKILLREG_DB_PREPARED = False
    calls = _calls_to_pg_rows(monkeypatch)
    connection.connection.execute("DEALLOCATE ALL")
    assert sel.verify(number=certs[0].number, id_number=None, name=None).holder_name == "张伟"
    assert len(calls) == 1 and _prepared_here() == {}
