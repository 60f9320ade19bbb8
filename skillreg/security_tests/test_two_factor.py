"""Two-factor login (TOTP) for officials; institution users may opt in (issue 9, Access)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillreg.accounts.factories import DEFAULT_PASSWORD
from skillreg.accounts.models import Authority, Role, User
from skillreg.accounts.tests.otp_helpers import code, enrol, let_throttle_pass
from skillreg.audit.models import AuditEvent
from skillreg.conftest import login, make_user
from skillreg.registry.factories import InstitutionFactory
from skillreg.security_tests.helpers import security_log

pytestmark = pytest.mark.django_db


def password_login(user: User) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def inst_user(bazhong: Authority) -> User:
    institution = InstitutionFactory(authority=bazhong)
    return make_user(Role.INSTITUTION_USER, None, username="inst-user", institution=institution)


def test_an_official_without_an_authenticator_must_enrol_before_anything_else(bz_official: User) -> None:
    client = password_login(bz_official)
    page = client.get("/institutions/")
    assert page.status_code == 302
    assert page["Location"].startswith("/account/2fa/enrol/")
    enrol_page = client.get(page["Location"])
    html = enrol_page.content.decode()
    assert enrol_page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn here, no external service
    device = TOTPDevice.objects.get(user=bz_official, confirmed=False)
    wrong = client.post("/account/2fa/enrol/", {"otp": "000000", "next": "/institutions/"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    confirmed = client.post("/account/2fa/enrol/", {"otp": code(device), "next": "/institutions/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/institutions/"
    assert client.get("/institutions/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="accounts.2fa_enrolled", actor=bz_official).exists()


@pytest.mark.parametrize("role", [Role.APPROVING_OFFICIAL, Role.CENTRE_STAFF, Role.EXPERT,
                                  Role.SUPERVISOR, Role.ASSESSOR])
def test_every_official_and_pool_role_is_sent_to_enrolment(bazhong: Authority, role: Role) -> None:
    user = make_user(role, bazhong, username=f"u-{role}")
    assert password_login(user).get("/")["Location"].startswith("/account/2fa/enrol/")


def test_the_administrator_is_sent_to_enrolment(admin_user: User) -> None:
    assert password_login(admin_user).get("/admin/")["Location"].startswith("/account/2fa/enrol/")


def test_an_enrolled_official_gives_the_code_after_the_password(bz_official: User) -> None:
    device = enrol(bz_official)
    client = password_login(bz_official)
    step = client.get("/institutions/")
    assert step["Location"].startswith("/account/2fa/?")
    with security_log() as log:
        wrong = client.post("/account/2fa/", {"otp": "123456"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    assert log.events("otp_failed")[0].username == "bz-official"
    assert client.get("/institutions/").status_code == 302
    throttled = client.post("/account/2fa/", {"otp": code(device)})
    assert throttled.status_code == 400 and "稍后再试" in throttled.content.decode()
    let_throttle_pass(device)
    ok = client.post("/account/2fa/", {"otp": code(device), "next": "/institutions/"})
    assert ok["Location"] == "/institutions/"
    assert client.get("/institutions/").status_code == 200


def test_a_code_is_accepted_only_once(bz_official: User) -> None:
    device = enrol(bz_official)
    first = password_login(bz_official)
    token = code(device)
    assert first.post("/account/2fa/", {"otp": token})["Location"] == "/"
    second = password_login(bz_official)
    assert second.post("/account/2fa/", {"otp": token}).status_code == 400


def test_the_password_alone_cannot_replace_an_enrolled_authenticator(bz_official: User) -> None:
    enrol(bz_official)
    client = password_login(bz_official)
    attempt = client.get("/account/2fa/enrol/")
    assert attempt.status_code == 302 and attempt["Location"].startswith("/account/2fa/?")
    assert client.post("/account/2fa/enrol/", {"otp": "000000"})["Location"].startswith("/account/2fa/?")
    assert TOTPDevice.objects.filter(user=bz_official).count() == 1


def test_a_half_logged_in_session_is_anonymous_on_the_api(bz_official: User) -> None:
    enrol(bz_official)
    client = password_login(bz_official)
    response = client.get("/api/v1/institutions")
    assert response.status_code == 401


def test_an_institution_user_logs_in_with_the_password_alone_until_they_opt_in(inst_user: User) -> None:
    client = password_login(inst_user)
    assert client.get("/institutions/").status_code == 200
    assert "未启用" in client.get("/account/security/").content.decode()
    client.get("/account/2fa/enrol/")
    device = TOTPDevice.objects.get(user=inst_user)
    assert client.post("/account/2fa/enrol/", {"otp": code(device)}).status_code == 302
    # From now on the code is asked at every login.
    again = password_login(inst_user)
    assert again.get("/institutions/")["Location"].startswith("/account/2fa/?")
    assert again.post("/account/2fa/", {"otp": code(device, steps_ahead=1)}).status_code == 302
    # Opting out needs a current code too.
    assert again.post("/account/security/", {"action": "disable", "otp": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(user=inst_user).exists()


def test_an_official_cannot_opt_out(bz_official: User) -> None:
    device = enrol(bz_official)
    client = login(bz_official)
    refused = client.post("/account/security/", {"action": "disable", "otp": code(device)})
    assert refused.status_code == 400 and "必须使用两步验证" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=bz_official, confirmed=True).exists()


def _token(username: str, otp: str | None = None):  # type: ignore[no-untyped-def]
    body = {"username": username, "password": DEFAULT_PASSWORD, **({"otp": otp} if otp is not None else {})}
    return Client().post("/api/v1/auth/token", json.dumps(body), content_type="application/json")


def test_the_token_endpoint_asks_an_enrolled_user_for_the_code(bz_official: User) -> None:
    device = enrol(bz_official)
    missing = _token("bz-official")
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    assert "动态口令" in missing.json()["message"]
    wrong = _token("bz-official", "000000")
    assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
    assert _token("bz-official", code(device)).json()["code"] == "otp_throttled"
    let_throttle_pass(device)
    assert _token("bz-official", code(device)).status_code == 200


def test_the_token_endpoint_refuses_an_official_who_has_not_enrolled(bz_official: User) -> None:
    refused = _token("bz-official")
    assert refused.status_code == 403
    assert refused.json()["code"] == "otp_enrolment_required"


def test_the_token_endpoint_serves_an_institution_user_without_a_device(inst_user: User) -> None:
    assert _token("inst-user").status_code == 200


def test_the_test_clients_force_login_is_the_only_login_that_skips_the_factor(bz_official: User) -> None:
    # login() (force_login) is trusted so other apps' tests need no codes; the same user
    # through the real login page is not.
    assert login(bz_official).get("/institutions/").status_code == 200
    assert password_login(bz_official).get("/institutions/").status_code == 302
