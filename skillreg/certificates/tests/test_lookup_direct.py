"""The verification lookup on PostgreSQL sent through psycopg's libpq connection (issue 8, figure 1):
the same rows, types and errors as through a cursor, and only where a cursor would add nothing
(autocommit, no transaction open, Django not logging queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import ProgrammingError, connection, transaction
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
        sql, names = sel._lookup_sql(kind, "postgresql")
        values = [params[name] for name in names]
        assert sel._pg_rows(connection, sql, values) == _through_cursor(sql, values), (kind, params)
    row = sel._pg_rows(connection, *_number_lookup(certs[0].number))[0]
    assert row[VERIFY_INDEX["issued_on"]] == dt.date(2026, 11, 20) and row[VERIFY_INDEX["level"]] == 4
    assert row[VERIFY_INDEX["status"]] == "revoked"


VERIFY_INDEX = {name: i for i, name in enumerate(sel.VERIFY_COLUMNS)}


def _number_lookup(number: str) -> tuple[str, list[str]]:
    sql, _names = sel._lookup_sql("number", "postgresql")
    return sql, [number]


@on_postgres
@pytest.mark.django_db
def test_a_database_error_is_djangos_and_marks_the_connection_for_its_health_check() -> None:
    try:
        with pytest.raises(ProgrammingError, match="certificates_nowhere"):
            sel._pg_rows(connection, 'SELECT 1 FROM "certificates_nowhere" WHERE %s = %s', ["a", "a"])
        assert connection.errors_occurred  # Django checks the connection before reusing it
    finally:
        connection.errors_occurred = False


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
