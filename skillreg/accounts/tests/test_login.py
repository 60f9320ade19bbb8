from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from skillreg.accounts.factories import DEFAULT_PASSWORD
from skillreg.accounts.models import User
from skillreg.accounts.tests.otp_helpers import code, enrol
from skillreg.audit.models import AuditEvent
from skillreg.core import clock

pytestmark = pytest.mark.django_db


def _token(client: Client, username: str, password: str, otp: str | None = None):  # type: ignore[no-untyped-def]
    body = {"username": username, "password": password, **({"otp": otp} if otp else {})}
    return client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")


def test_a_token_opens_the_api_until_it_expires(bz_official: User) -> None:
    client = Client()
    device = enrol(bz_official)
    issued = _token(client, bz_official.username, DEFAULT_PASSWORD, otp=code(device))
    assert issued.status_code == 200
    body = issued.json()
    assert body["role"] == "filing_official"
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert Client().get("/api/v1/institutions", headers=headers).status_code == 200
    assert AuditEvent.objects.filter(action="auth.token_issued", actor=bz_official).exists()
    with clock.frozen(clock.now() + dt.timedelta(hours=13)):
        assert Client().get("/api/v1/institutions", headers=headers).status_code == 401


def test_a_wrong_password_gets_a_structured_401(bz_official: User) -> None:
    response = _token(Client(), bz_official.username, "wrong-password")
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码错误"}


def test_a_deactivated_users_token_stops_working(bz_official: User) -> None:
    token = _token(Client(), bz_official.username, DEFAULT_PASSWORD, otp=code(enrol(bz_official))).json()["token"]
    bz_official.is_active = False
    bz_official.save()
    response = Client().get("/api/v1/institutions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_repeated_failed_api_logins_lock_the_account(bz_official: User) -> None:
    client = Client()
    for _ in range(5):
        _token(client, bz_official.username, "nope-nope")
    locked = _token(client, bz_official.username, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.json()["message"]


def test_repeated_failed_web_logins_lock_the_account(bz_official: User) -> None:
    client = Client()
    for _ in range(5):
        page = client.post("/login/", {"username": bz_official.username, "password": "bad-bad-bad"})
        assert page.status_code in (200, 429)
    locked = client.post("/login/", {"username": bz_official.username, "password": DEFAULT_PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_web_login_keeps_the_username_and_says_what_is_wrong(bz_official: User) -> None:
    page = Client().post("/login/", {"username": bz_official.username, "password": "bad-bad-bad"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{bz_official.username}"' in html
    assert "请输入一个正确的" in html


def test_a_good_web_login_reaches_the_home_page_after_the_second_factor(bz_official: User) -> None:
    device = enrol(bz_official)
    client = Client()
    response = client.post("/login/", {"username": bz_official.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    # The password alone is not enough for an official: every page leads to the code page.
    step = client.get("/")
    assert step.status_code == 302 and step["Location"].startswith("/account/2fa/")
    verified = client.post("/account/2fa/", {"otp": code(device), "next": "/"})
    assert verified.status_code == 302 and verified["Location"] == "/"
    home = client.get("/").content.decode()
    assert "经办人员" in home and bz_official.authority.name in home
