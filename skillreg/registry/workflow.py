"""The filing application's allowed moves, in one table.

Each service function names its move; ``lock_for_move`` reloads the application under a row
lock and refuses a move the table does not allow, with the current status in the message, so
two officials clicking "受理" at once leave one result and a clear message for the other.
"""

from __future__ import annotations

from typing import Any

from skillreg.core.errors import IllegalTransition
from skillreg.registry.models import Application

S = Application.Status

TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    # move: (from statuses, to status, what a person calls it)
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED, "提交申请"),
    "request_supplement": (frozenset({S.SUBMITTED}), S.SUPPLEMENT_REQUESTED, "一次性告知补正"),
    "supplement": (frozenset({S.SUPPLEMENT_REQUESTED}), S.SUBMITTED, "提交补正材料"),
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED, "受理"),
    "start_evaluation": (frozenset({S.ACCEPTED}), S.EVALUATING, "组织专家评估"),
    "conclude_evaluation": (frozenset({S.EVALUATING}), S.EVALUATED, "形成评估结论"),
    "file": (frozenset({S.EVALUATED, S.ACCEPTED}), S.FILED, "备案"),
    "refuse": (frozenset({S.SUBMITTED, S.ACCEPTED, S.EVALUATING, S.EVALUATED}), S.REFUSED, "不予备案"),
    "terminate": (frozenset({S.SUPPLEMENT_REQUESTED}), S.TERMINATED, "终止办理"),
    "withdraw": (frozenset({S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED}), S.WITHDRAWN, "撤回申请"),
}

OPEN_STATUSES = frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.EVALUATING, S.EVALUATED})


def can(application: Application, move: str) -> bool:
    return application.status in TRANSITIONS[move][0]


def lock_for_move(application: Application, move: str) -> Application:
    """Reload under SELECT ... FOR UPDATE and check the move; call inside the transaction."""
    fresh = Application.objects.select_for_update().get(pk=application.pk)
    allowed, _, label = TRANSITIONS[move]
    if fresh.status not in allowed:
        raise IllegalTransition(
            f"该申请当前状态为“{fresh.get_status_display()}”，不能{label}（可能已由他人办理，请刷新页面）"
        )
    return fresh


def move(application: Application, name: str, **fields: Any) -> list[str]:
    """Set the target status and milestone fields; returns the fields to save."""
    application.status = TRANSITIONS[name][1]
    for key, value in fields.items():
        setattr(application, key, value)
    return ["status", *fields]
