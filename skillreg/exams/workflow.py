"""The allowed moves of an exam plan, in one table; every service checks it under a row lock."""

from __future__ import annotations

from skillreg.core.errors import IllegalTransition
from skillreg.exams.models import ExamPlan

S = ExamPlan.Status

PLAN_MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.APPLIED, S.CANCELLED}),
    S.APPLIED: frozenset({S.APPROVED, S.PUBLISHED}),  # the centre approves or returns the exam application
    S.APPROVED: frozenset({S.RESULTS_SUBMITTED}),
    S.RESULTS_SUBMITTED: frozenset({S.RESULTS_APPROVED, S.APPROVED}),  # approve, or return with reasons
    S.RESULTS_APPROVED: frozenset(),
    S.CANCELLED: frozenset(),
}


def check_move(plan: ExamPlan, to: str) -> None:
    if to not in PLAN_MOVES[plan.status]:
        raise IllegalTransition(
            f"考核计划当前为“{plan.get_status_display()}”，不能改为“{S(to).label}”"
        )
