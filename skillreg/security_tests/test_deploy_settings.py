"""Production settings pass `check --deploy` with no warnings (issue 9, Deployment)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; a deployment never has it.
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("SKILLREG_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"SKILLREG_DEBUG": "0", "SKILLREG_ALLOWED_HOSTS": "skillreg.hrss.example.gov.cn",
            "SKILLREG_VAR_DIR": str(tmp_path), **extra}


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path: Path) -> None:
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"],
                     _production(tmp_path, SKILLREG_SECRET_KEY=secrets.token_urlsafe(50)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_secret_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50) + "\n")
    key_file.chmod(0o600)
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"],
                     _production(tmp_path, SKILLREG_SECRET_KEY_FILE=str(key_file)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage(["check"], _production(tmp_path))
    assert result.returncode != 0
    assert "SKILLREG_SECRET_KEY" in result.stderr


def test_the_deploy_check_notices_weakened_settings(tmp_path: Path) -> None:
    # The check above would also pass if it checked nothing: show that it bites.
    weakened = {"SKILLREG_HSTS_SECONDS": "0", "SKILLREG_SECURE_COOKIES": "0", "SKILLREG_SSL_REDIRECT": "0"}
    result = _manage(["check", "--deploy"], _production(tmp_path, SKILLREG_SECRET_KEY=secrets.token_urlsafe(50),
                                                        **weakened))
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout
