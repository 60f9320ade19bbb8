"""Fixtures shared by every app's tests: two regions' authorities, users per role, a frozen clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from skillreg.accounts.factories import AuthorityFactory, UserFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.LOCAL_TZ)


def redis_or_skip(first_call: Callable[[], object]) -> None:
    """Run the test's first Redis call; without a server the test is skipped, except in CI, which
    starts Redis (.ci/run) and sets SKILLREG_REDIS_REQUIRED: there, no server is a failure."""
    import redis

    try:
        first_call()
    except redis.exceptions.ConnectionError:
        if os.environ.get("SKILLREG_REDIS_REQUIRED") == "1":
            raise
        pytest.skip("no Redis server on 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[dt.datetime]:
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Uploaded files land in the test's own directory, never in var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # PBKDF2 is slow by design; the tests check who may log in, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sichuan(db: None) -> Authority:
    return AuthorityFactory(name="四川省人力资源和社会保障厅", region_code="510000",
                            region_name="四川省", level=Authority.Level.PROVINCE)


@pytest.fixture
def bazhong(sichuan: Authority) -> Authority:
    return AuthorityFactory(name="巴中市人力资源和社会保障局", region_code="511900",
                            region_name="巴中市", parent=sichuan)


@pytest.fixture
def chengdu(sichuan: Authority) -> Authority:
    return AuthorityFactory(name="成都市人力资源和社会保障局", region_code="510100",
                            region_name="成都市", parent=sichuan)


@pytest.fixture
def wuhai(db: None) -> Authority:
    nm = AuthorityFactory(name="内蒙古自治区人力资源和社会保障厅", region_code="150000",
                          region_name="内蒙古自治区", level=Authority.Level.PROVINCE)
    return AuthorityFactory(name="乌海市人力资源和社会保障局", region_code="150300",
                            region_name="乌海市", parent=nm)


def make_user(role: Role, authority: Authority | None = None, **kw: object) -> User:
    return UserFactory(role=role, authority=authority, **kw)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user(Role.SYSADMIN, None, username="sysadmin", is_staff=True, is_superuser=True)


@pytest.fixture
def bz_official(bazhong: Authority) -> User:
    return make_user(Role.FILING_OFFICIAL, bazhong, username="bz-official")


@pytest.fixture
def wh_official(wuhai: Authority) -> User:
    return make_user(Role.FILING_OFFICIAL, wuhai, username="wh-official")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
