"""The settings the test suite runs with (pyproject.toml): production's, plus a second database
alias mirroring the test database, so that the read-replica routing itself is tested
(core/tests/test_db_router.py). Routing to it stays off unless a test turns it on
(SKILLREG_PUBLIC_READ_DB): a mirror cannot see a test's uncommitted rows."""

from skillreg.settings import *  # noqa: F403
from skillreg.settings import DATABASES

DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})
