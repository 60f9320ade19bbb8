"""Scoped reads. Anything outside the user's jurisdiction is a 404, like something missing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.accounts.scoping import get_scoped_or_404, scoped
from skillreg.archives.models import ArchiveRecord, DestructionLedgerEntry, ScreeningRun
from skillreg.registry.models import Institution

INSTITUTION_SCOPE = {"region_field": "institution__region_code", "institution_field": "institution_id"}


def _officials_only(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    # Screening is supervision: institution users and pool members see none of it.
    if not user.is_authenticated or user.role not in (OFFICIAL_ROLES | {Role.SYSADMIN}):
        return qs.none()
    return scoped(qs, user, **INSTITUTION_SCOPE)


def runs_for(user: Any) -> QuerySet[ScreeningRun]:
    return _officials_only(ScreeningRun.objects.select_related("institution", "created_by"), user)


def run_for(user: Any, public_id: uuid.UUID | str) -> ScreeningRun:
    return get_scoped_or_404(runs_for(user), user, scope=INSTITUTION_SCOPE, public_id=public_id)


def screenable_institutions(user: Any) -> QuerySet[Institution]:
    if not user.is_authenticated or user.role not in (OFFICIAL_ROLES | {Role.SYSADMIN}):
        return Institution.objects.none()
    return scoped(Institution.objects.all(), user)


def screenable_sittings(user: Any) -> QuerySet[Any]:
    """Exam sittings (exams.ExamPlan) with stored objective answer sheets, over the user's bodies."""
    from skillreg.exams.models import AnswerSheet, ExamPlan

    if not user.is_authenticated or user.role not in (OFFICIAL_ROLES | {Role.SYSADMIN}):
        return ExamPlan.objects.none()
    with_sheets = AnswerSheet.objects.values("registration__plan_id")
    return scoped(ExamPlan.objects.filter(pk__in=with_sheets).select_related("institution"), user,
                  **INSTITUTION_SCOPE).order_by("-exam_start", "title")


def sitting_for(user: Any, public_id: uuid.UUID | str) -> Any:
    return get_scoped_or_404(screenable_sittings(user), user, scope=INSTITUTION_SCOPE, public_id=public_id)


def room_for(user: Any, run: ScreeningRun, room: str) -> Any:
    from django.http import Http404

    found = run.rooms.filter(room=room).first()
    if found is None:
        raise Http404("未找到该考场")
    return found


def record_sittings(user: Any) -> QuerySet[Any]:
    """Exam sittings whose records the user may register: the body's own, or those over which
    the official has jurisdiction (held: the application was approved)."""
    from skillreg.exams.models import ExamPlan

    held = [ExamPlan.Status.APPROVED, ExamPlan.Status.RESULTS_SUBMITTED, ExamPlan.Status.RESULTS_APPROVED]
    return scoped(ExamPlan.objects.filter(status__in=held).select_related("institution"), user,
                  **INSTITUTION_SCOPE).order_by("-exam_end", "title")


def record_sitting_for(user: Any, public_id: uuid.UUID | str) -> Any:
    return get_scoped_or_404(record_sittings(user), user, scope=INSTITUTION_SCOPE, public_id=public_id)


def keeping_institutions(user: Any) -> QuerySet[Institution]:
    return scoped(Institution.objects.all(), user)


def institution_for(user: Any, public_id: uuid.UUID | str, *, screening: bool = False) -> Institution:
    qs = screenable_institutions(user) if screening else keeping_institutions(user)
    return get_scoped_or_404(qs, user, public_id=public_id)


def records_for(user: Any) -> QuerySet[ArchiveRecord]:
    return scoped(ArchiveRecord.objects.select_related("institution", "approved_by"), user, **INSTITUTION_SCOPE)


def record_for(user: Any, public_id: uuid.UUID | str) -> ArchiveRecord:
    return get_scoped_or_404(records_for(user), user, scope=INSTITUTION_SCOPE, public_id=public_id)


def due_records(qs: QuerySet[ArchiveRecord], today: dt.date) -> QuerySet[ArchiveRecord]:
    """Records past their retention date and not destroyed (held ones included, marked as held)."""
    return qs.filter(retain_until__lt=today).exclude(status=ArchiveRecord.Status.DESTROYED).order_by(
        "retain_until", "id")


def silent_records(qs: QuerySet[ArchiveRecord]) -> QuerySet[ArchiveRecord]:
    return qs.filter(retain_until__isnull=True).exclude(status=ArchiveRecord.Status.DESTROYED)


def ledger_for(user: Any) -> QuerySet[DestructionLedgerEntry]:
    return scoped(DestructionLedgerEntry.objects.select_related("institution", "record", "destroyed_by", "approved_by"),
                  user, **INSTITUTION_SCOPE)


def search(qs: QuerySet[ArchiveRecord], text: str) -> QuerySet[ArchiveRecord]:
    text = text.strip()
    if not text:
        return qs
    return qs.filter(Q(title__icontains=text) | Q(sitting__icontains=text) | Q(institution__name__icontains=text))
