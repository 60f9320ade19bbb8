"""When an administrator enters a year's holidays, provisional deadlines are recomputed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Application, ChangeFiling, SupplementNotice
from skillreg.workdays.calendar import WorkCalendar


def _date(at: Any) -> Any:
    return at.astimezone(clock.LOCAL_TZ).date()


@transaction.atomic
def recompute_provisional_deadlines(**kwargs: Any) -> int:
    """Recount every provisional deadline from its triggering event; returns how many changed."""
    calendar = WorkCalendar()
    changed = 0
    apps = Application.objects.select_for_update().filter(
        Q(material_check_due_provisional=True) | Q(completion_due_provisional=True))
    for app in apps:
        pack = get_pack(app.pack_id)
        before = {"material_check_due": app.material_check_due, "completion_due": app.completion_due}
        if app.material_check_due_provisional and app.submitted_at and pack.clocks.material_check.workdays:
            result = calendar.add_workdays(_date(app.submitted_at), pack.clocks.material_check.workdays)
            app.material_check_due, app.material_check_due_provisional = result.date, result.provisional
        if app.completion_due_provisional and app.accepted_at and pack.clocks.completion.workdays:
            result = calendar.add_workdays(_date(app.accepted_at), pack.clocks.completion.workdays)
            app.completion_due, app.completion_due_provisional = result.date, result.provisional
        after = {"material_check_due": app.material_check_due, "completion_due": app.completion_due}
        app.save(update_fields=["material_check_due", "material_check_due_provisional", "completion_due",
                                "completion_due_provisional"])
        if after != before:
            changed += 1
            audit.record(actor=None, action="application.deadlines_recomputed", obj=app, before=before, after=after)
    for notice in SupplementNotice.objects.select_for_update().filter(due_provisional=True).select_related(
            "application"):
        workdays = get_pack(notice.application.pack_id).clocks.supplement.workdays
        if not workdays:
            continue
        result = calendar.add_workdays(_date(notice.issued_at), workdays)
        if result.date != notice.due:
            changed += 1
            audit.record(actor=None, action="application.deadlines_recomputed", obj=notice.application,
                         before={"supplement_due": notice.due}, after={"supplement_due": result.date})
        notice.due, notice.due_provisional = result.date, result.provisional
        notice.save(update_fields=["due", "due_provisional"])
    changed += _recompute_change_filings(calendar)
    return changed


def _recompute_change_filings(calendar: WorkCalendar) -> int:
    """001 四: a change report's window (5 working days around the change) counted across a
    year nobody had entered is recounted, and the late mark follows the final date."""
    changed = 0
    for change in ChangeFiling.objects.select_for_update().filter(report_due_provisional=True).select_related(
            "institution"):
        workdays = get_pack(change.institution.pack_id).clocks.change_filing.workdays
        if not workdays:
            continue
        result = calendar.add_workdays(change.change_date, workdays)
        late = _date(change.reported_at) > result.date
        if (result.date, late) != (change.report_due, change.late):
            changed += 1
            audit.record(actor=None, action="change_filing.deadline_recomputed", obj=change,
                         before={"report_due": change.report_due, "late": change.late},
                         after={"report_due": result.date, "late": late})
        change.report_due, change.report_due_provisional, change.late = result.date, result.provisional, late
        change.save(update_fields=["report_due", "report_due_provisional", "late"])
    return changed
