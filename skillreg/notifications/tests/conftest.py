from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

import pytest

from skillreg.accounts.factories import UserFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.notifications.backends import sms
from skillreg.notifications.backends.base import BaseSmsBackend, SmsMessage, SmsSendError
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution

LOCMEM_SMS = "skillreg.notifications.backends.sms.LocmemSmsBackend"
FAILING_SMS = "skillreg.notifications.tests.conftest.FailingSmsBackend"
MOBILE = "13812345678"
MASKED = "138****5678"


class FailingSmsBackend(BaseSmsBackend):
    """A gateway that refuses everything, quoting the number back as real gateways do."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        raise SmsSendError(f"网关拒绝 {messages[0].to}：账户余额不足")


@pytest.fixture(autouse=True)
def notification_settings(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_SMS_BACKEND = LOCMEM_SMS
    settings.SKILLREG_SMS_FILE_PATH = tmp_path / "sms"
    settings.SKILLREG_SITE_URL = "https://skillreg.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def sms_outbox() -> Iterator[list[SmsMessage]]:
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def institution(bazhong: Authority) -> Institution:
    return cast(Institution, InstitutionFactory(authority=bazhong, name="巴中市第一职业技能评价中心"))


@pytest.fixture
def applicant(institution: Institution) -> User:
    return cast(User, UserFactory(role=Role.INSTITUTION_USER, authority=None, institution=institution,
                                  username="applicant", email="applicant@example.cn", phone=MOBILE))
