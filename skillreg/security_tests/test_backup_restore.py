"""`skillreg backup` / `skillreg restore`: a whole database out and back into a fresh one,
with the audit chain and the row counts intact (issue 9, Deployment and data)."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillreg.accounts.factories import AuthorityFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.services import token_issue, user_create
from skillreg.audit.models import AuditEvent
from skillreg.audit.services import verify_chain
from skillreg.core import clock
from skillreg.core.backup import BackupError, backed_up_models, backup, restore
from skillreg.registry.factories import InstitutionFactory
from skillreg.security_tests.liveproc import sqlite_copy

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent


class _Rollback(Exception):
    """Undo the data once backed up, leaving the freshly migrated empty test database."""


def _build() -> None:
    sichuan = AuthorityFactory(name="四川省人力资源和社会保障厅", region_code="510000", region_name="四川省",
                               level=Authority.Level.PROVINCE)
    bazhong = AuthorityFactory(name="巴中市人力资源和社会保障局", region_code="511900", region_name="巴中市",
                               parent=sichuan)
    reviewers = Group.objects.create(name="复核人员")
    reviewers.permissions.set(Permission.objects.filter(codename__in=["view_user", "change_user"]))
    official = user_create(actor=None, username="official-1", password="Bazhong-Official-2026",
                           role=Role.FILING_OFFICIAL, display_name="张经办", authority=bazhong, at=clock.now())
    official.groups.add(reviewers)
    token_issue(user=official, at=clock.now())
    institution = InstitutionFactory(authority=bazhong)
    user_create(actor=official, username="inst-1", password="Bazhong-Inst-2026", role=Role.INSTITUTION_USER,
                institution=institution, at=clock.now())
    TOTPDevice.objects.create(user=official, name="验证器", confirmed=True)


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def _audit() -> list[tuple[int, str]]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))


def test_a_backup_restores_into_a_fresh_database_with_counts_and_audit_chain(
        tmp_path: Path) -> None:
    file = tmp_path / "skillreg.jsonl.gz"
    try:
        with transaction.atomic():
            _build()
            call_command("backup", str(file))
            before, chain = _counts(), _audit()
            raise _Rollback
    except _Rollback:
        pass
    assert AuditEvent.objects.count() == 0 and User.objects.count() == 0  # fresh again
    assert len(chain) == 3  # two accounts created, one token issued

    summary = restore(file)  # on PostgreSQL the audit table refuses UPDATE: insert only

    assert _counts() == before
    assert _audit() == chain
    assert verify_chain().ok and summary.audit_events == len(chain)
    official = User.objects.get(username="official-1")
    assert official.check_password("Bazhong-Official-2026")
    assert set(official.groups.get().permissions.values_list("codename", flat=True)) == {"view_user", "change_user"}
    assert TOTPDevice.objects.get(user=official).confirmed


def test_restore_refuses_a_database_that_has_data(tmp_path: Path) -> None:
    _build()
    backup(tmp_path / "b.jsonl")
    with pytest.raises(BackupError, match="空数据库"):
        restore(tmp_path / "b.jsonl")


def test_a_truncated_backup_restores_nothing(tmp_path: Path) -> None:
    file = tmp_path / "b.jsonl"
    try:
        with transaction.atomic():
            _build()
            backup(file)
            raise _Rollback
    except _Rollback:
        pass
    lines = file.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")
    with pytest.raises(BackupError, match="不完整"):
        restore(cut)
    assert User.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_tampered_audit_event_is_caught_on_restore(tmp_path: Path) -> None:
    file = tmp_path / "b.jsonl"
    try:
        with transaction.atomic():
            _build()
            backup(file)
            raise _Rollback
    except _Rollback:
        pass
    lines = file.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        row = json.loads(line)
        if row.get("model") == "audit.auditevent":
            row["fields"]["summary"] = "改写过的记录"
            lines[i] = json.dumps(row, ensure_ascii=False)
            break
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BackupError, match="审计链"):
        restore(file)
    assert AuditEvent.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the empty target is copied from the SQLite test database")
def test_the_commands_restore_into_another_database_file(tmp_path: Path) -> None:
    # A separate database file, migrated and empty: a copy of the test database taken before
    # any data exists (cheaper than running every migration again).
    target = tmp_path / "restored.sqlite3"
    sqlite_copy(target, wal=False)
    file = tmp_path / "skillreg.jsonl.gz"
    _build()
    call_command("backup", str(file))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLREG_")}
    env["DATABASE_URL"] = f"sqlite:///{target}"
    env["SKILLREG_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "manage.py", "restore", str(file)],
                            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "审计链" in result.stdout and "校验通过" in result.stdout
    restored = sqlite3.connect(target)
    try:
        assert restored.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq").fetchall() == _audit()
        assert restored.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == User.objects.count()
    finally:
        restored.close()
    with gzip.open(file, "rt", encoding="utf-8") as stream:
        assert json.loads(stream.readline())["format"] == "skillreg-backup"
