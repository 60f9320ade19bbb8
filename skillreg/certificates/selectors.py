"""Reads: scoped lists for the signed-in, and the public verification lookup."""

from __future__ import annotations

import hashlib
import itertools
import re
import weakref
from dataclasses import dataclass
from typing import Any, NamedTuple

import psycopg
from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet
from django.http import Http404
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

from skillreg.accounts.scoping import get_scoped_or_404, scoped
from skillreg.certificates.masking import clean_id_number, clean_name, mask_id, normalize_id
from skillreg.certificates.models import Certificate
from skillreg.core.errors import InvalidInput, refuse_control_chars
from skillreg.policies.schema import LEVEL_NAMES

SCOPE = {"region_field": "region_code", "institution_field": "institution_id"}
PAGE_SIZE = 50


def certificates_visible_to(user: Any) -> QuerySet[Certificate]:
    """Institution users: their own institution's; officials: their jurisdiction's; sysadmin: all.

    The list reads no other table (the issuer's name is on the certificate), so its query
    count does not grow with the rows.
    """
    return scoped(Certificate.objects.all(), user, **SCOPE).order_by("-issued_at", "-id")


def certificate_for(user: Any, public_id: Any) -> Certificate:
    return get_scoped_or_404(Certificate.objects.select_related("institution", "revoked_by"), user,
                             scope=SCOPE, public_id=public_id)


# --- public verification ---------------------------------------------------------------

# Exactly what a verifier sees, no more (no full ID, no number of other certificates,
# no reason of revocation, no internal ids).
VERIFY_COLUMNS = ("holder_name", "id_number", "occupation", "level", "issuer_name", "issued_on", "status")


class NotFound(Http404):
    """One answer for "no such number", "no such person" and "wrong name for this ID"."""


class SeveralCertificates(Exception):
    """The ID number and name match more than one certificate: the number is needed."""


@dataclass(frozen=True)
class Verified:
    holder_name: str
    id_number_masked: str
    occupation: str
    level: int | None
    level_label: str
    issuer: str
    issued_on: Any
    status: str
    status_label: str


def _verified(row: dict[str, Any]) -> Verified:
    return Verified(
        holder_name=row["holder_name"],
        id_number_masked=mask_id(row["id_number"]),
        occupation=row["occupation"],
        level=row["level"],
        level_label=LEVEL_NAMES.get(row["level"], "") if row["level"] else "",
        issuer=row["issuer_name"],
        issued_on=row["issued_on"],
        status=row["status"],
        status_label=Certificate.Status(row["status"]).label,
    )


# The two lookups' SQL, compiled by the ORM once per database vendor and then reused with new
# parameters. Issue 8 (figure 1): building the same query through the ORM on every request
# cost more than the database round trip itself (bench/README.md); the SQL text is still the
# ORM's own, from the model and VERIFY_COLUMNS, so it follows any change to either.
_SQL: dict[tuple[str, str], tuple[str, tuple[str, ...], LibpqStatement]] = {}


class LibpqStatement(NamedTuple):
    """SQL as libpq takes it (``$n`` placeholders) and the name it is prepared under."""

    query: bytes
    name: bytes


def _lookup_sql(kind: str, vendor: str) -> tuple[str, tuple[str, ...], LibpqStatement]:
    """(SQL, the names of its parameters in placeholder order, the same SQL as libpq takes it)
    for one lookup."""
    key = (vendor, kind)
    compiled = _SQL.get(key)
    if compiled is None:
        # Each parameter is compiled as its own name, so the order of the placeholders is read
        # back from the ORM instead of assumed (it orders the conditions itself).
        if kind == "number":
            qs = Certificate.objects.filter(number="number").order_by().values(*VERIFY_COLUMNS)[:1]
        else:
            qs = (Certificate.objects.filter(id_number="id_number", holder_name="holder_name")
                  .order_by().values(*VERIFY_COLUMNS)[:2])
        sql, names = qs.query.sql_with_params()
        compiled = _SQL[key] = (sql, tuple(names), libpq_sql(sql))
    return compiled


def libpq_sql(sql: str) -> LibpqStatement:
    """SQL with psycopg's placeholders as libpq numbers them: %s → $1, $2 …; %% → %. Its name is
    ``skillreg_`` and a digest of that text, so a session that holds the name holds the same SQL."""
    numbers = itertools.count(1)
    query = re.sub(r"%(s|%)", lambda m: f"${next(numbers)}" if m[1] == "s" else "%", sql).encode()
    return LibpqStatement(query, b"skillreg_" + hashlib.sha1(query, usedforsecurity=False).hexdigest()[:16].encode())


_ISSUED_ON = Certificate._meta.get_field("issued_on")


def _lookup(kind: str, params: dict[str, str]) -> list[dict[str, Any]]:
    # The read replica for public lookups when one is configured (core.db_router), else default.
    connection = connections[router.db_for_read(Certificate)]
    sql, names, numbered = _lookup_sql(kind, connection.vendor)
    values = [params[name] for name in names]
    if _direct(connection):
        found = _pg_rows(connection, numbered, values)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            found = cursor.fetchall()
    rows = [dict(zip(VERIFY_COLUMNS, row, strict=True)) for row in found]
    for row in rows:  # SQLite returns dates as text; the ORM's values() would have converted them
        row["issued_on"] = _ISSUED_ON.to_python(row["issued_on"])
    return rows


# --- the lookup on PostgreSQL, through psycopg's libpq connection ---------------------------
# Issue 8, figure 1: through Django's cursor wrapper and a psycopg cursor, the lookup cost
# 120-180 µs of CPU per request; the same statement sent by the connection's own libpq object
# (psycopg.pq), its row read by psycopg's own loaders (Transformer), costs 45-55 µs
# (bench/README.md).


def _direct(connection: Any) -> bool:
    """Whether the lookup goes straight to libpq: PostgreSQL, outside any transaction (where
    psycopg would open one first, and inside ``atomic`` the cursor keeps Django's semantics),
    with Django not logging queries (DEBUG, or a test counting them: the cursor logs it) and no
    ``execute_wrapper`` installed (instrumentation sees every query a cursor runs)."""
    if connection.vendor != "postgresql" or connection.queries_logged or connection.execute_wrappers:
        return False
    # What Django does before a request's first cursor: with CONN_HEALTH_CHECKS, a connection
    # kept from an earlier request is checked, and replaced when the server has gone.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    return connection.get_autocommit() and connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE


def _pg_rows(connection: Any, statement: LibpqStatement, values: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` (``libpq_sql``) for ``values``, as a cursor returns them.

    The values are dumped by psycopg as a cursor dumps them (a NUL byte is refused, not cut
    short), under the connection's lock. Errors are Django's, as from a cursor: the wrapper maps
    psycopg's errors to django.db's and marks the connection for its check at the end of the request.
    """
    raw = connection.connection
    with connection.wrap_database_errors, raw.lock:
        adapt = Transformer(raw)
        params = adapt.dump_sequence(values, [PyFormat.TEXT] * len(values))
        if getattr(settings, "SKILLREG_DB_PREPARED", True):
            result = _exec_prepared(raw, statement, params)
        else:
            result = raw.pgconn.exec_params(statement.query, params)
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
        adapt.set_pgresult(result)
        return adapt.load_rows(0, result.ntuples, tuple)


# Named prepared statements: the server parses and plans each lookup once per connection instead
# of on every request (issue 8, figure 1: its CPU per lookup 80-100 → 43-48 µs, bench/README.md;
# asyncpg, under the floor, prepares its statements too). A session that already holds the name
# (a pooler's server connection) holds the same SQL. SKILLREG_DB_PREPARED=0 sends them unnamed (a
# PgBouncer before 1.21 in transaction mode).
_PREPARED: weakref.WeakKeyDictionary[Any, set[bytes]] = weakref.WeakKeyDictionary()
# 42P05 duplicate_prepared_statement; 26000 invalid_sql_statement_name (the session lost it:
# DISCARD ALL, another server connection behind a pooler); 0A000 "cached plan must not change
# result type" (a migration changed the table under it).
_ALREADY_THERE, _GONE = b"42P05", (b"26000", b"0A000")


def _exec_prepared(raw: Any, statement: LibpqStatement, params: list[Any]) -> Any:
    """``exec_prepared`` of ``statement``, preparing it in this session first."""
    pgconn, (query, name) = raw.pgconn, statement
    prepared = _PREPARED.setdefault(raw, set())

    def run() -> Any:
        if name not in prepared:
            result = pgconn.prepare(name, query)
            if (result.status != pq.ExecStatus.COMMAND_OK
                    and result.error_field(pq.DiagnosticField.SQLSTATE) != _ALREADY_THERE):
                return result
            prepared.add(name)
        return pgconn.exec_prepared(name, params)

    result = run()
    if result.error_field(pq.DiagnosticField.SQLSTATE) in _GONE:  # once more, prepared afresh
        prepared.discard(name)
        pgconn.exec_(b"DEALLOCATE " + name)  # whatever is left of it; an error here is no news
        result = run()
    return result


def verify_by_number(number: str) -> Verified:
    """One probe of the UNIQUE index on ``number``; revoked certificates are found too."""
    rows = _lookup("number", {"number": number})
    if not rows:
        raise NotFound
    return _verified(rows[0])


def verify_by_holder(id_number: str, name: str) -> Verified:
    """One probe of ``certificate_holder_lookup`` (id_number, holder_name), at most two rows read.

    A wrong name with a right ID number finds nothing, exactly as a missing ID number does.
    Several certificates of one person are never listed: the verifier is asked for the number.
    """
    rows = _lookup("holder", {"id_number": id_number, "holder_name": name})
    if not rows:
        raise NotFound
    if len(rows) > 1:
        raise SeveralCertificates
    return _verified(rows[0])


def verify(*, number: str | None, id_number: str | None, name: str | None) -> Verified:
    """The lookup the API and the page both run: by number, or by ID number together with name.

    Raises InvalidInput (422) when only one of ID number and name is given, or both ways at
    once; NotFound for anything not found; SeveralCertificates when the number is needed.
    """
    for field, value in (("number", number), ("id_number", id_number), ("name", name)):
        refuse_control_chars(value, field=field)
    number = normalize_id(number or "")
    id_number = (id_number or "").strip()
    name = (name or "").strip()
    if number and (id_number or name):
        raise InvalidInput("请按证书编号查验，或按身份证号码加姓名查验，二者选一", field="number")
    if number:
        return verify_by_number(number)
    if not id_number or not name:
        raise InvalidInput("请填写证书编号；或同时填写身份证号码和姓名",
                           field="name" if id_number else "id_number")
    return verify_by_holder(clean_id_number(id_number), clean_name(name))
