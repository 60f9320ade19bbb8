"""Revocation: 002 第二十六条 追缴违规发放的证书, by the jurisdiction's officials, with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from skillreg.accounts.models import User
from skillreg.audit.models import AuditEvent
from skillreg.certificates.models import Certificate
from skillreg.certificates.services import certificate_revoke
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import NOW
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(bz_user: User, issue: Callable[..., list[Certificate]]) -> Certificate:
    return issue(bz_user, holders=[("周杰", make_id("511902"))], occupation="中式面点制作", level=None)[0]


def test_an_official_of_the_jurisdiction_revokes_with_a_reason(cert: Certificate, bz_official: User) -> None:
    revoked = certificate_revoke(actor=bz_official, certificate=cert, reason="违规收费，追缴证书", at=NOW)
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_at == NOW and revoked.revoke_reason == "违规收费，追缴证书"
    event = AuditEvent.objects.get(action="certificates.revoked")
    assert event.before["status"] == "valid" and event.after["status"] == "revoked"


def test_a_revocation_needs_a_reason(cert: Certificate, bz_official: User) -> None:
    with pytest.raises(InvalidInput, match="撤销原因") as exc:
        certificate_revoke(actor=bz_official, certificate=cert, reason="  ", at=NOW)
    assert exc.value.source == "002 第二十六条"


def test_the_issuing_body_and_other_cities_cannot_revoke(cert: Certificate, bz_user: User,
                                                         wh_official: User) -> None:
    for actor in (bz_user, wh_official):
        with pytest.raises(DomainError) as exc:
            certificate_revoke(actor=actor, certificate=cert, reason="x", at=NOW)
        assert exc.value.status == 403
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID


def test_a_revoked_certificate_cannot_be_revoked_again(cert: Certificate, bz_official: User) -> None:
    certificate_revoke(actor=bz_official, certificate=cert, reason="违规", at=NOW)
    with pytest.raises(IllegalTransition):
        certificate_revoke(actor=bz_official, certificate=cert, reason="再次", at=NOW)
