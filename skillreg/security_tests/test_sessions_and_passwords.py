"""Idle timeout for officials, password rules and the optional password age (issue 9, Access)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.registry.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

THIRTY_MINUTES = 30 * 60


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_an_officials_session_lives_thirty_minutes_from_the_last_request(bz_official: User) -> None:
    client = login(bz_official)
    response = client.get("/")
    assert response.cookies["sessionid"]["max-age"] == THIRTY_MINUTES
    assert client.session.get_expiry_age() == THIRTY_MINUTES


def test_the_idle_expiry_is_saved_at_most_once_a_minute_and_never_lapses_later_than_thirty(
        bz_official: User, monkeypatch: pytest.MonkeyPatch) -> None:
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real)
    client = login(bz_official)
    client.get("/")
    first = _session(client).expire_date
    # 59 seconds later: the page does not save the session again (three statements fewer).
    monkeypatch.setattr(time, "time", lambda: real + 59)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert "sessionid" not in response.cookies
    assert not [q for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
    assert _session(client).expire_date == first
    # A minute on, it is renewed: 30 minutes from now.
    monkeypatch.setattr(time, "time", lambda: real + 61)
    response = client.get("/")
    assert response.cookies["sessionid"]["max-age"] == THIRTY_MINUTES
    assert _session(client).expire_date > first


def test_an_idle_officials_session_is_gone(bz_official: User) -> None:
    client = login(bz_official)
    assert client.get("/institutions/").status_code == 200
    # 31 minutes without a request: the stored session has lapsed (the store keeps real
    # time, so the expiry is moved rather than the clock).
    stored = _session(client)
    Session.objects.filter(pk=stored.pk).update(expire_date=stored.expire_date - dt.timedelta(minutes=31))
    after = client.get("/institutions/")
    assert after.status_code == 302 and after["Location"].startswith("/login/")


def test_an_institution_users_session_keeps_the_working_day_length(bazhong: Authority) -> None:
    user = make_user(Role.INSTITUTION_USER, None, username="inst", institution=InstitutionFactory(authority=bazhong))
    client = login(user)
    client.get("/")
    assert client.session.get_expiry_age() == 8 * 3600


@pytest.mark.parametrize("password", [
    "Ab1xyz",       # fewer than 8 characters
    "password123",  # a common password
    "83920175",     # digits only
])
def test_weak_passwords_are_refused(bz_official: User, password: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password, bz_official)
    client = login(bz_official)
    page = client.post("/account/password/", {"old_password": "demo-Passw0rd-2026",
                                               "new_password1": password, "new_password2": password})
    assert page.status_code == 200
    assert escape(refused.value.messages[0]) in page.content.decode()
    bz_official.refresh_from_db()
    assert not bz_official.check_password(password)


def test_a_password_change_records_when(bz_official: User) -> None:
    client = login(bz_official)
    new = "Qilin-Bazhong-2026!"
    page = client.post("/account/password/", {"old_password": "demo-Passw0rd-2026",
                                               "new_password1": new, "new_password2": new})
    assert page.status_code == 302
    bz_official.refresh_from_db()
    assert bz_official.check_password(new)
    assert bz_official.password_changed_at == clock.now()


def test_no_forced_password_rotation_by_default(bz_official: User) -> None:
    User.objects.filter(pk=bz_official.pk).update(password_changed_at=clock.now() - dt.timedelta(days=3650))
    assert login(bz_official).get("/institutions/").status_code == 200


def test_an_operator_may_turn_on_password_rotation(bz_official: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=bz_official.pk).update(password_changed_at=clock.now() - dt.timedelta(days=91))
    client = login(bz_official)
    page = client.get("/institutions/")
    assert page.status_code == 302 and page["Location"] == "/account/password/"
    assert client.get("/account/password/").status_code == 200
    User.objects.filter(pk=bz_official.pk).update(password_changed_at=clock.now() - dt.timedelta(days=89))
    assert client.get("/institutions/").status_code == 200
