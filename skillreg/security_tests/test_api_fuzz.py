"""schemathesis against /api/v1/openapi.json (issue 9, Input): for every operation, a
bounded, derandomised set of generated requests; no 5xx, and every documented response
matches its schema. Authenticated as the system administrator, who may reach every
protected endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from skillreg.accounts.models import Role, User
from skillreg.accounts.services import token_issue
from skillreg.conftest import make_user
from skillreg.core import clock

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Bounded for CI: the schema's own examples plus a few generated requests per operation,
# the same every run (SKILLREG_FUZZ_EXAMPLES raises the count); the exhaustive "coverage" phase is for a run by hand
# (`schemathesis run` against a test server).
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """schemathesis calls the real WSGI handler, whose request_started/request_finished
    signals run close_old_connections. Inside the test's transaction the connection's
    autocommit differs from the settings, so Django closes it: on PostgreSQL every later
    query fails with "the connection is closed" (on SQLite's in-memory test database close
    is a no-op, which hid it). Django's own test client disconnects the same handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db: None) -> str:
    admin: User = make_user(Role.SYSADMIN, None, username="fuzz-admin", is_staff=True, is_superuser=True)
    return token_issue(user=admin, at=clock.now()).secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=int(os.environ.get("SKILLREG_FUZZ_EXAMPLES", "3")), derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_5xx_and_keeps_to_its_schema(case, admin_token: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
