"""The lean path for public lookups (issue 8, figure 1): less work, the same protections.

GET /api/v1/public/... skips the session, authentication, 2FA, messages and lockout
middleware it never uses; the request id, access log, security headers, host check and the
rate limit are exactly those of every other response.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from skillreg.certificates.models import Certificate
from skillreg.conftest import redis_or_skip
from skillreg.settings import BASE_DIR, _caches

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/public/certificates/verify"


def _assert_security_headers(response: Any) -> None:
    assert response["Content-Security-Policy"] == settings.SKILLREG_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert len(response["X-Request-ID"]) >= 8


def test_verification_keeps_every_security_header_and_the_request_id(certificate: Certificate) -> None:
    response = Client().get(VERIFY, {"number": certificate.number}, headers={"X-Request-ID": "trace-0001-abc"})
    assert response.status_code == 200 and response.json()["holder_name"] == "张伟"
    _assert_security_headers(response)
    assert response["X-Request-ID"] == "trace-0001-abc"
    not_found = Client().get(VERIFY, {"number": "NOPE"})
    assert not_found.status_code == 404 and not_found.json()["code"] == "not_found"
    _assert_security_headers(not_found)


def test_verification_runs_without_the_session_and_login_middleware(certificate: Certificate) -> None:
    client = Client()
    response = client.get(VERIFY, {"number": certificate.number})
    assert not hasattr(response.wsgi_request, "session") and not hasattr(response.wsgi_request, "user")
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")
    # The verification page (a form, CSRF) keeps the full chain.
    page = client.get("/certificates/verify/", {"number": certificate.number})
    assert page.status_code == 200 and hasattr(page.wsgi_request, "user")


def test_verification_is_still_rate_limited_per_address(certificate: Certificate, settings: Any) -> None:
    settings.SKILLREG_VERIFY_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.get(VERIFY, {"number": certificate.number}).status_code == 200
    refused = client.get(VERIFY, {"number": certificate.number})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and refused.json()["limit"] == 3
    assert int(refused["Retry-After"]) >= 1
    _assert_security_headers(refused)
    other = Client(REMOTE_ADDR="10.0.0.9").get(VERIFY, {"number": certificate.number})
    assert other.status_code == 200  # another address counts on its own


def test_each_lookup_is_logged_once_without_its_query_string(
        certificate: Certificate, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="skillreg.request"):
        Client().get(VERIFY, {"id_number": certificate.id_number, "name": "张伟"})
    lines = [r for r in caplog.records if r.name == "skillreg.request"]
    assert len(lines) == 1 and lines[0].path == VERIFY and lines[0].status == 200
    assert certificate.id_number not in caplog.text


def test_a_foreign_host_is_refused_on_the_lean_path_too(certificate: Certificate) -> None:
    response = Client(HTTP_HOST="evil.example").get(VERIFY, {"number": certificate.number})
    assert response.status_code == 400


def test_an_unknown_public_path_is_404_with_the_headers(db: None) -> None:
    response = Client().get("/api/v1/public/no-such-thing")
    assert response.status_code == 404
    _assert_security_headers(response)


def test_the_public_directory_api_takes_the_lean_path(certificate: Certificate) -> None:
    response = Client().get("/api/v1/public/institutions", {"q": "电工"})
    assert response.status_code == 200 and response.json()["total"] == 1
    assert not hasattr(response.wsgi_request, "user")
    _assert_security_headers(response)


def test_a_public_post_keeps_the_full_chain(db: None) -> None:
    response = Client().post("/api/v1/public/complaints", "{}", content_type="application/json")
    assert response.status_code == 422  # validated by the view, after the full middleware chain
    assert hasattr(response.wsgi_request, "session")


# --- settings read from the environment ----------------------------------------------------------


def _settings_in_subprocess(**env: str) -> dict[str, Any]:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps({'limit': settings.SKILLREG_VERIFY_RATE_LIMIT, "
            "'cache': settings.CACHES['default']['BACKEND'], 'location': settings.CACHES['default'].get('LOCATION'), "
            "'replica': settings.SKILLREG_PUBLIC_READ_DB, "
            "'db_options': {a: d.get('OPTIONS', {}) for a, d in settings.DATABASES.items()}}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SKILLREG_", "DATABASE_"))}
    env = {**clean, "DJANGO_SETTINGS_MODULE": "skillreg.settings", **env}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR,  # noqa: S603  (a fixed command)
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_rate_limit_cache_and_replica_come_from_the_environment(tmp_path: Any) -> None:
    dev = _settings_in_subprocess(SKILLREG_VAR_DIR=str(tmp_path))
    assert dev["limit"] == 30 and dev["cache"].endswith("LocMemCache") and dev["replica"] is None
    prod = _settings_in_subprocess(SKILLREG_DEBUG="0", SKILLREG_SECRET_KEY="x" * 50, SKILLREG_VAR_DIR=str(tmp_path),
                                   SKILLREG_VERIFY_RATE_LIMIT="120",
                                   DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}")
    # Production shares the counters between workers by default: the database cache table.
    assert prod["limit"] == 120 and prod["cache"].endswith("DatabaseCache") and prod["location"] == "skillreg_cache"
    assert prod["replica"] == "replica"
    redis = _settings_in_subprocess(SKILLREG_VAR_DIR=str(tmp_path), SKILLREG_CACHE_URL="redis://127.0.0.1:6379/1")
    assert redis["cache"].endswith("RedisCache") and redis["location"] == "redis://127.0.0.1:6379/1"


def test_postgresql_connections_give_up_after_5_seconds_unless_the_url_says_otherwise(tmp_path: Any) -> None:
    """A database that does not answer must not hold a worker's polling thread for the kernel's
    TCP timeout (skillreg.serving answers the verification there)."""
    url = "postgres://skillreg@db1:5432/skillreg"
    default = _settings_in_subprocess(SKILLREG_VAR_DIR=str(tmp_path), DATABASE_URL=url,
                                      DATABASE_REPLICA_URL="postgres://skillreg@db2:5432/skillreg")
    assert default["db_options"]["default"]["connect_timeout"] == 5
    assert default["db_options"]["replica"]["connect_timeout"] == 5
    own = _settings_in_subprocess(SKILLREG_VAR_DIR=str(tmp_path), DATABASE_URL=url + "?connect_timeout=12")
    assert own["db_options"]["default"]["connect_timeout"] == 12


def test_an_unknown_cache_url_stops_start_up_saying_why() -> None:
    with pytest.raises(ImproperlyConfigured, match="SKILLREG_CACHE_URL"):
        _caches("memcached://127.0.0.1")


def test_the_redis_cache_shares_one_client_per_pool_and_counts() -> None:
    from skillreg.core.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "skillreg-test"})
    redis_or_skip(lambda: cache.delete("hits"))
    assert cache.add("hits", 0, timeout=5) and not cache.add("hits", 0, timeout=5)
    assert cache.incr("hits") == 1 and cache.incr("hits") == 2 and cache.get("hits") == 2
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    cache.delete("hits")


def test_the_migrations_create_the_database_cache_table_whatever_the_cache_setting(db: None) -> None:
    """Production's default cache is the table ``skillreg_cache``: a database migrated while the
    settings named another cache (development's in-memory one) must still have it."""
    from django.db import connection

    assert "skillreg_cache" in connection.introspection.table_names()
