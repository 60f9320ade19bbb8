"""schemathesis against /api/v1/openapi.json (issue 9, Input): for every operation, a
bounded, derandomised set of generated requests; no 5xx, and every documented response
matches its schema. Authenticated as the system administrator, who may reach every
protected endpoint."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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
