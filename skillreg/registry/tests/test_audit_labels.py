"""Timelines show Chinese action names (issue 10: “timeline of events from the audit log”)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from skillreg.audit.labels import ACTION_LABELS, action_label
from skillreg.conftest import login
from skillreg.registry.models import Application

SKILLREG = Path(__file__).resolve().parents[2]


def _recorded_actions() -> dict[str, str]:
    """Every ``action=`` passed to a ``record(...)`` call outside the tests → a file that uses it."""
    found: dict[str, str] = {}
    dynamic = []
    for path in SKILLREG.rglob("*.py"):
        if {"tests", "security_tests", "migrations"} & set(path.relative_to(SKILLREG).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None) or ""
            for kw in node.keywords:
                if kw.arg == "action" and "record" in name:
                    if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        found.setdefault(kw.value.value, str(path.relative_to(SKILLREG)))
                    else:
                        dynamic.append(f"{path.relative_to(SKILLREG)}:{node.lineno}")
    # A computed action name could not be checked here: spell each one out.
    assert dynamic == []
    return found


def test_every_action_recorded_in_the_code_has_a_chinese_label() -> None:
    actions = _recorded_actions()
    assert len(actions) > 100  # the scan found the services' calls
    missing = {a: where for a, where in actions.items() if a not in ACTION_LABELS}
    assert missing == {}, "add these to skillreg/audit/labels.py"


def test_labels_are_chinese_and_unknown_actions_fall_back_to_their_object() -> None:
    assert all(label and label.isascii() is False for label in ACTION_LABELS.values())
    assert action_label("application.created") == "新建备案申请"
    assert action_label("application.teleported") == "备案申请的其他操作"
    assert action_label("weird") == "系统的其他操作"


@pytest.mark.django_db
def test_the_application_timeline_reads_in_chinese(bz_official, bazhong) -> None:  # type: ignore[no-untyped-def]
    from skillreg.accounts.models import Role
    from skillreg.conftest import make_user
    from skillreg.core import clock
    from skillreg.registry.factories import InstitutionFactory
    from skillreg.registry.services import applications as svc

    org = InstitutionFactory.create(authority=bazhong)
    applicant = make_user(Role.INSTITUTION_USER, None, username="applicant", institution=org)
    app: Application = svc.application_create(actor=applicant, institution=org, at=clock.now())
    page = login(applicant).get(f"/applications/{app.public_id}/").content.decode()
    assert "新建备案申请" in page and "application.created" not in page
    # The policy is named by its title, never its id.
    assert "巴中市专项职业能力考核机构管理办法（试行）" in page
