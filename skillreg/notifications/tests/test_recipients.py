from __future__ import annotations

import pytest

from skillreg.accounts.factories import UserFactory
from skillreg.accounts.models import Role
from skillreg.notifications.services import recipients_for_authority, recipients_for_institution
from skillreg.registry.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_an_institutions_recipients_are_its_active_users(institution, applicant, bazhong):
    UserFactory(role=Role.INSTITUTION_USER, authority=None, institution=institution, is_active=False)
    other = InstitutionFactory(authority=bazhong)
    UserFactory(role=Role.INSTITUTION_USER, authority=None, institution=other)
    assert list(recipients_for_institution(institution)) == [applicant]


def test_an_authoritys_recipients_are_its_active_officials_by_default(bazhong, bz_official, wh_official):
    approver = UserFactory(role=Role.APPROVING_OFFICIAL, authority=bazhong)
    UserFactory(role=Role.EXPERT, authority=bazhong)
    UserFactory(role=Role.FILING_OFFICIAL, authority=bazhong, is_active=False)
    assert set(recipients_for_authority(bazhong)) == {bz_official, approver}


def test_an_authoritys_recipients_can_be_narrowed_by_role(bazhong, bz_official):
    approver = UserFactory(role=Role.APPROVING_OFFICIAL, authority=bazhong)
    assert list(recipients_for_authority(bazhong, roles=[Role.APPROVING_OFFICIAL])) == [approver]
