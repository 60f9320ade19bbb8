from __future__ import annotations

import datetime as dt

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form
from skillreg.workdays.services import calendar_year_enter

pytestmark = pytest.mark.django_db


def test_a_deadline_in_an_unknown_year_is_provisional_until_the_year_is_entered(
        bazhong: Authority, admin_user: User, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    org = InstitutionFactory(authority=bazhong, region_code="511902", pack_id="sc-2021-appraisal",
                             body_kind="technical_school")
    user = User.objects.create(username="dec", role=Role.INSTITUTION_USER, institution=org)
    monday = dt.datetime(2026, 12, 28, 10, 0, tzinfo=clock.LOCAL_TZ)
    with clock.frozen(monday):
        app = svc.application_create(actor=user, institution=org, form=sc_form(org), at=monday)
        app = svc.application_submit(actor=user, application=app, at=monday)
    # 001 三(一)2(1): 5 working days; 2027 is unknown, so Monday–Friday: 12-29, 30, 31, 01-01, 01-04.
    assert (app.material_check_due, app.material_check_due_provisional) == (dt.date(2027, 1, 4), True)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(actor=admin_user, year=2027, note="国办发明电〔2026〕X号",
                            days=[(dt.date(2027, 1, 1), False, "元旦")], at=clock.now())
    app.refresh_from_db()
    # New Year's Day is a holiday now: the fifth working day moves to 01-05 and is final.
    assert (app.material_check_due, app.material_check_due_provisional) == (dt.date(2027, 1, 5), False)


def test_001_四_a_change_report_window_in_an_unknown_year_is_recounted_when_the_year_is_entered(
        bazhong: Authority, admin_user: User, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """001 四: changes are reported within 5 working days before or after the change; counted
    across 2027 before its holidays are entered, the due date is provisional and the late mark
    follows the final date."""
    from skillreg.registry.services import lifecycle
    from skillreg.registry.tests.test_lifecycle_common import pdf, sc_filed

    filed = sc_filed(bazhong)
    # Changed Monday 2026-12-28; Monday–Friday 2027 gives 12-29, 30, 31, 01-01, 01-04.
    reported = dt.datetime(2027, 1, 5, 9, 0, tzinfo=clock.LOCAL_TZ)
    with clock.frozen(reported):
        change = lifecycle.change_report(actor=filed.user, institution=filed.institution, kind="identity",
                                         changes={"head_name": "李新"}, change_date=dt.date(2026, 12, 28),
                                         upload=pdf(), at=reported)
    assert (change.report_due, change.report_due_provisional, change.late) == (dt.date(2027, 1, 4), True, True)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(actor=admin_user, year=2027, note="国办发明电〔2026〕X号",
                            days=[(dt.date(2027, 1, 1), False, "元旦")], at=clock.now())
    change.refresh_from_db()
    # New Year's Day is a holiday: the window ends 01-05, so a report on 01-05 was in time.
    assert (change.report_due, change.report_due_provisional, change.late) == (dt.date(2027, 1, 5), False, False)
