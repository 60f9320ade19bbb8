"""Have the results of a sitting been approved? The one question certificates ask the exams app.

Contract with ``skillreg.exams`` (built by another engineer; looked up at call time so that
neither app imports the other at start-up):

``skillreg.exams.services[.scoring].sitting_results_approved(sitting) -> bool | datetime | None``
    (or the same name in ``skillreg.exams.selectors``). ``sitting`` is the exams app's own
    object for one sitting (today an ``ExamPlan``). Truthy once the centre approved the
    sitting's results (审核成绩): either the aware instant of approval, or ``True``, in which
    case the instant is read from ``sitting.results_decided_at``; the 公示 period, where one is
    configured, counts from it. ``False`` / ``None``: not approved.

``skillreg.exams.services.sitting_for_certificates(*, institution, key: str) -> sitting | None``
    (optional; only the pages and the API use it) finds the sitting an institution names by
    ``key``, limited to that institution's own sittings. Without it, ``key`` is read as the
    public id of one of the institution's ``exams.ExamPlan`` rows.

Until the exams app provides ``sitting_results_approved``, no results count as approved and
every issue is refused: certificates are never issued before the results are approved.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from skillreg.registry.models import Institution

_MODULES = ("skillreg.exams.services", "skillreg.exams.services.scoring", "skillreg.exams.selectors")


@dataclass(frozen=True)
class Approval:
    approved: bool
    # When the results were approved; None when unknown or not approved.
    at: dt.datetime | None
    reason: str = ""


def _exams_hook(name: str) -> Callable[..., Any] | None:
    for module_name in _MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        hook = getattr(module, name, None)
        if callable(hook):
            return hook
    return None


def results_approved_for(*, sitting: Any) -> Approval:
    """Whether the centre approved the results of ``sitting`` (and when), per the exams app."""
    if sitting is None:
        return Approval(False, None, "未指明考核批次，无法确认成绩已经审核")
    hook = _exams_hook("sitting_results_approved")
    if hook is None:
        return Approval(False, None, "考务模块尚未提供成绩审核结果，不能确认成绩已经审核")
    result = hook(sitting)
    if isinstance(result, dt.datetime):
        return Approval(True, result)
    if result is True:
        decided = getattr(sitting, "results_decided_at", None)
        return Approval(True, decided if isinstance(decided, dt.datetime) else None)
    return Approval(False, None, "该批次考核成绩尚未经审核")


def find_sitting(*, institution: Institution, key: str) -> Any | None:
    """The sitting an institution names on the issue form or in the API, or None."""
    if not key:
        return None
    hook = _exams_hook("sitting_for_certificates")
    if hook is not None:
        return hook(institution=institution, key=key)
    try:
        plan_model = apps.get_model("exams", "ExamPlan")
        return plan_model.objects.filter(institution=institution, public_id=uuid.UUID(key)).first()
    except (LookupError, ValueError):
        return None
