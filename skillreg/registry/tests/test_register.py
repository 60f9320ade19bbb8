from __future__ import annotations

import pytest

from skillreg.accounts.models import Authority, User
from skillreg.audit.models import AuditEvent
from skillreg.core import clock
from skillreg.core.errors import InvalidInput
from skillreg.registry.factories import make_credit_code
from skillreg.registry.models import BodyKind, Institution
from skillreg.registry.services import institution_register
from skillreg.registry.validators import clean_credit_code

pytestmark = pytest.mark.django_db


def _register(actor: User, authority: Authority, **kw: object) -> Institution:
    fields: dict[str, object] = dict(
        name="巴中市测试评价中心", credit_code=make_credit_code("511900", 42),
        body_kind=BodyKind.SOCIAL_BODY, legal_representative="张三", address="巴中市巴州区1号",
        region_code="511902", authority=authority, pack_id="bz-2023-special", at=clock.now(),
    )
    fields.update(kw)
    return institution_register(actor=actor, **fields)  # type: ignore[arg-type]


def test_registering_writes_the_institution_and_its_audit_event(bz_official: User,
                                                                 bazhong: Authority) -> None:
    inst = _register(bz_official, bazhong)
    event = AuditEvent.objects.get(action="registry.institution_registered")
    assert event.object_id == str(inst.public_id)
    assert event.actor == bz_official
    assert event.after["credit_code"] == inst.credit_code


def test_a_wrong_check_character_says_which_is_expected() -> None:
    good = make_credit_code("511900", 42)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(InvalidInput) as exc:
        clean_credit_code(bad)
    assert f"第 18 位应为 {good[17]}" in exc.value.message
    assert exc.value.field == "credit_code"


def test_a_short_credit_code_says_its_length() -> None:
    with pytest.raises(InvalidInput, match="应为 18 位，当前为 5 位"):
        clean_credit_code("91510")


def test_a_body_outside_the_authoritys_jurisdiction_is_refused(bz_official: User,
                                                                bazhong: Authority) -> None:
    with pytest.raises(InvalidInput, match="管辖范围"):
        _register(bz_official, bazhong, region_code="150300")
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action="registry.institution_registered").exists()
