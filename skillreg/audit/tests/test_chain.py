from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from skillreg.accounts.models import User
from skillreg.audit import services as audit
from skillreg.audit.models import AuditEvent
from skillreg.registry.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _write_three(actor: User) -> list[AuditEvent]:
    events = []
    for n in range(3):
        with transaction.atomic():
            events.append(audit.record(actor=actor, action="test.step", object_type="demo",
                                       object_id=str(n), before={"n": n}, after={"n": n + 1}))
    return events


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The database refuses tampering; a superuser who switches triggers off is the
            # attacker this chain exists for.
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)


def test_it_chains_each_event_to_the_previous_one(bz_official: User) -> None:
    first, second, third = _write_three(bz_official)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert audit.verify_chain().ok


def test_it_names_the_first_tampered_event(bz_official: User) -> None:
    _write_three(bz_official)
    _raw("UPDATE audit_auditevent SET after = %s WHERE seq = 2", ['{"n": 99}'])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == 2
    assert "篡改" in report.reason


def test_it_detects_a_deleted_event_in_the_middle(bz_official: User) -> None:
    _write_three(bz_official)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    report = audit.verify_chain()
    assert report.broken_seq == 2


def test_it_detects_a_deleted_last_event(bz_official: User) -> None:
    _write_three(bz_official)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    assert audit.verify_chain().broken_seq == 3


def test_verify_audit_command_reports_the_broken_event(bz_official: User, capsys) -> None:  # type: ignore[no-untyped-def]
    _write_three(bz_official)
    call_command("verify-audit")
    assert "已校验 3 条事件" in capsys.readouterr().out
    _raw("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 1", ["他人"])
    with pytest.raises(CommandError, match="第 1 条事件"):
        call_command("verify-audit")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_on_the_audit_table(bz_official: User) -> None:
    _write_three(bz_official)
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1",
                "DELETE FROM audit_auditevent WHERE seq = 1"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEvent.objects.get(seq=1).action == "test.step"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction(bz_official: User) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=bz_official, action="test.nowhere")
    assert not AuditEvent.objects.filter(action="test.nowhere").exists()


def test_a_failed_change_leaves_no_audit_event(bz_official: User) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError), transaction.atomic():
        InstitutionFactory(authority=bz_official.authority)
        audit.record(actor=bz_official, action="test.doomed")
        raise ValueError("the service failed after writing")
    assert AuditEvent.objects.count() == before
