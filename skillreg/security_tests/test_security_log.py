"""Every login attempt, lockout and refusal goes to the security log, structured, without
passwords or ID numbers (issue 9, Access; 网络安全法 第二十一条)."""

from __future__ import annotations

import json
import logging

import pytest
from django.http import Http404
from django.test import Client

from skillreg.accounts.factories import DEFAULT_PASSWORD
from skillreg.accounts.models import Authority, User
from skillreg.accounts.scoping import get_scoped_or_404
from skillreg.core.errors import DomainError
from skillreg.core.logging import JsonFormatter
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution
from skillreg.security_tests.helpers import security_log

pytestmark = pytest.mark.django_db

WRONG = "Wr0ng-secret-pass"


def _written(records: list[logging.LogRecord]) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(r) for r in records)


def test_a_failed_login_is_logged_with_the_username_and_never_the_password(bz_official: User) -> None:
    with security_log() as log:
        Client().post("/login/", {"username": "bz-official", "password": WRONG})
    failed = log.events("login_failed")
    assert len(failed) == 1
    assert failed[0].username == "bz-official" and failed[0].ip == "127.0.0.1"
    assert WRONG not in _written(log.records)
    assert json.loads(_written(failed))["event"] == "login_failed"


def test_a_successful_login_is_logged(bz_official: User) -> None:
    with security_log() as log:
        Client().post("/login/", {"username": "bz-official", "password": DEFAULT_PASSWORD})
    assert log.events("login")[0].username == "bz-official"
    assert DEFAULT_PASSWORD not in _written(log.records)


def test_a_lockout_is_logged(bz_official: User) -> None:
    client = Client()
    with security_log() as log:
        for _ in range(6):
            client.post("/login/", {"username": "bz-official", "password": WRONG})
    locked = log.events("login_locked_out")
    assert locked and locked[0].username == "bz-official"


def test_a_failed_api_login_is_logged(bz_official: User) -> None:
    with security_log() as log:
        Client().post("/api/v1/auth/token", {"username": "bz-official", "password": WRONG},
                      content_type="application/json")
    assert log.events("login_failed") and log.events("api_token_refused")
    assert WRONG not in _written(log.records)


def test_a_permission_refusal_is_logged() -> None:
    with security_log() as log:
        DomainError("只有系统管理员可以录入节假日安排", code="forbidden", source="测试")
    refused = log.events("permission_refused")
    assert refused and refused[0].levelno == logging.WARNING
    assert refused[0].getMessage() == "只有系统管理员可以录入节假日安排"


def test_an_object_outside_the_jurisdiction_is_a_404_and_a_log_line(bz_official: User, wuhai: Authority) -> None:
    foreign = InstitutionFactory(authority=wuhai, region_code="150302")
    with security_log() as log, pytest.raises(Http404):
        get_scoped_or_404(Institution.objects.all(), bz_official, pk=foreign.pk)
    refused = log.events("scope_refused")
    assert refused and refused[0].model == "registry.institution" and refused[0].username == "bz-official"


def test_a_missing_object_is_a_404_without_a_log_line(bz_official: User) -> None:
    with security_log() as log, pytest.raises(Http404):
        get_scoped_or_404(Institution.objects.all(), bz_official, pk=999_999)
    assert not log.events("scope_refused")
