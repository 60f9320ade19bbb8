"""Read-replica routing (issue 8, "scale past one machine"): public lookups read the replica,
writes and signed-in reads never touch it.

The test settings define ``replica`` as a TEST MIRROR of ``default`` (skillreg/test_settings.py);
routing to it is switched on here only, with committed rows (a mirror is another connection
and cannot see a test transaction's uncommitted rows).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority, Role
from skillreg.certificates.models import Certificate
from skillreg.conftest import make_user
from skillreg.core.db_router import public_reads
from skillreg.registry.models import DirectoryEntry, Institution

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings: Any) -> None:
    settings.SKILLREG_PUBLIC_READ_DB = "replica"


def _tables(captured: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in captured.captured_queries)


def test_public_lookups_read_the_replica(replica_on: None, certificate: Certificate, body: Institution) -> None:
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        verified = Client().get("/api/v1/public/certificates/verify", {"number": certificate.number})
        listed = Client().get("/api/v1/public/institutions", {"q": "电工"})
        entry = Client().get(f"/api/v1/public/institutions/{body.code}")
        page = Client().get("/directory/", {"q": "电工"})
    assert verified.status_code == 200 and verified.json()["holder_name"] == "张伟"
    assert listed.json()["total"] == 1 and entry.status_code == 200 and "乌海市电工" in page.content.decode()
    assert "certificates_certificate" in _tables(replica)
    assert "registry_directoryentry" in _tables(replica) and "registry_directorysearchgram" in _tables(replica)
    assert "certificates_certificate" not in _tables(primary)
    assert "registry_directory" not in _tables(primary)


def test_writes_and_signed_in_reads_never_go_to_the_replica(replica_on: None, wuhai: Authority) -> None:
    with CaptureQueriesContext(connections["replica"]) as replica:
        official = make_user(Role.FILING_OFFICIAL, wuhai, username="wh-router")
        with public_reads():  # even inside a public request, a write goes to the primary
            assert router.db_for_write(Certificate) == "default"
            assert router.db_for_write(DirectoryEntry) == "default"
            Authority.objects.filter(pk=wuhai.pk).update(name="乌海市人力资源和社会保障局")
        client = Client()
        client.force_login(official)
        client.get("/institutions/")
    assert replica.captured_queries == []
    assert router.db_for_read(Certificate) == "default"  # outside a public request


def test_without_a_replica_everything_reads_the_primary(certificate: Certificate) -> None:
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert Client().get("/api/v1/public/certificates/verify", {"number": certificate.number}).status_code == 200
    assert replica.captured_queries == []
    with public_reads():
        assert router.db_for_read(Certificate) == "default"


def test_the_replica_is_never_migrated() -> None:
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_migrate("default", "registry") is not False
