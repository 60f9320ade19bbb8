"""Validity and renewal (000 二(四): 2 years; 002 第十条, 004 五(五): 3 years): reminders 90 and
30 days before, expiry the day after the end, a renewal submitted in time keeps the entry active."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from skillreg.accounts.models import Authority
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.notifications.models import Notification
from skillreg.registry.lifecycle_tasks import sweep_validity_task
from skillreg.registry.models import Application, DirectoryEntry, Institution
from skillreg.registry.services import applications as app_svc
from skillreg.registry.services import decisions
from skillreg.registry.services import lifecycle as svc
from skillreg.registry.tests.test_lifecycle_common import bz_filed

pytestmark = pytest.mark.django_db

END = dt.date(2029, 11, 19)  # bz filed 2026-11-20, 3 years (002 第十条)


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.LOCAL_TZ)


def current(institution: Institution) -> DirectoryEntry:
    return DirectoryEntry.objects.get(institution=institution, superseded_at__isnull=True)


def test_002_第十条_expiry_happens_the_day_after_the_end_and_not_a_day_early(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    assert filed.institution.valid_until == END
    # On the last day of validity the institution is still filed and listed.
    report = svc.sweep_validity(at=at(END, 23))
    assert report.expired == []
    assert filed.refresh().status == Institution.Status.FILED
    assert current(filed.institution).active
    # The day after: expired, out of the active directory, the public record says so.
    report = svc.sweep_validity(at=at(END + dt.timedelta(days=1), 0))
    assert report.expired == [filed.institution.code]
    assert filed.refresh().status == Institution.Status.EXPIRED
    entry = current(filed.institution)
    assert not entry.active and entry.data["status"] == "expired"
    public = Client().get("/api/v1/public/institutions", {"q": filed.institution.code}).json()
    assert public["total"] == 0
    assert Client().get("/api/v1/public/institutions", {"status": "expired"}).json()["total"] == 1


def test_a_sweep_that_runs_twice_expires_once(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    after = at(END + dt.timedelta(days=2))
    svc.sweep_validity(at=after)
    svc.sweep_validity(at=after)
    assert DirectoryEntry.objects.filter(institution=filed.institution).count() == 2  # filed, expired


def test_reminders_90_and_30_days_before_reach_institution_and_authority_once(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    notices = Notification.objects.filter(subject__startswith="备案有效期将于")
    svc.sweep_validity(at=at(END - dt.timedelta(days=91)))
    assert not notices.exists()
    svc.sweep_validity(at=at(END - dt.timedelta(days=90)))
    svc.sweep_validity(at=at(END - dt.timedelta(days=89)))  # runs again: the dedupe key holds
    ninety = notices.filter(subject__contains="90")
    assert {n.recipient for n in ninety} == {filed.user, filed.clerk, filed.approver}
    assert ninety.count() == 3
    svc.sweep_validity(at=at(END - dt.timedelta(days=30)))
    svc.sweep_validity(at=at(END - dt.timedelta(days=30), 20))
    assert notices.filter(subject__contains="30").count() == 3


def test_renewal_submitted_before_the_end_keeps_the_entry_active(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    renewal = svc.renewal_start(actor=filed.user, institution=filed.institution, at=at(END - dt.timedelta(days=20)))
    assert renewal.kind == Application.Kind.RENEWAL
    renewal = app_svc.application_submit(actor=filed.user, application=renewal, at=at(END, 15))
    report = svc.sweep_validity(at=at(END + dt.timedelta(days=1)))
    assert report.expired == [] and report.kept_by_renewal == [filed.institution.code]
    assert filed.refresh().status == Institution.Status.FILED
    assert current(filed.institution).active
    # The renewal is refused: the next sweep takes the institution out.
    app_svc.application_accept(actor=filed.clerk, application=renewal, at=at(END + dt.timedelta(days=3)))
    app_svc.application_refuse(actor=filed.approver, application=renewal, reason="场地不再符合要求",
                               source="002 第七条(四)", at=at(END + dt.timedelta(days=5)))
    svc.sweep_validity(at=at(END + dt.timedelta(days=6)))
    assert filed.refresh().status == Institution.Status.EXPIRED


def test_a_renewal_submitted_after_the_end_does_not_keep_the_entry(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    renewal = svc.renewal_start(actor=filed.user, institution=filed.institution, at=at(END - dt.timedelta(days=5)))
    app_svc.application_submit(actor=filed.user, application=renewal, at=at(END + dt.timedelta(days=1), 1))
    svc.sweep_validity(at=at(END + dt.timedelta(days=1), 3))
    assert filed.refresh().status == Institution.Status.EXPIRED


def test_renewal_carries_over_the_form_materials_and_approved_changes(bazhong: Authority) -> None:
    filed = bz_filed(bazhong, material=True)
    renewal = svc.renewal_start(actor=filed.user, institution=filed.institution, at=clock.now())
    assert renewal.status == Application.Status.DRAFT
    old = filed.application.form
    assert renewal.form["staff"] == old["staff"] and renewal.form["assessors"] == old["assessors"]
    assert [s["name"] for s in renewal.form["scope"]] == ["农村电商运营"]
    assert list(renewal.materials.values_list("key", flat=True)) == ["other"]
    with pytest.raises(DomainError, match="办理中的延续备案"):
        svc.renewal_start(actor=filed.user, institution=filed.institution, at=clock.now())


def test_renewal_validity_continues_from_the_old_end_date(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    # Decided before or after the old end, the new period starts the day after it (no gap, no overlap).
    for decided in (END - dt.timedelta(days=10), END + dt.timedelta(days=40)):
        start, end = svc.renewal_validity(institution=filed.institution, years=3, today=decided)
        assert (start, end) == (dt.date(2029, 11, 20), dt.date(2032, 11, 19))


def test_filing_a_renewal_extends_validity_from_the_old_end(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    renewal = svc.renewal_start(actor=filed.user, institution=filed.institution, at=at(END - dt.timedelta(days=30)))
    renewal = app_svc.application_submit(actor=filed.user, application=renewal, at=at(END - dt.timedelta(days=30)))
    app_svc.application_accept(actor=filed.clerk, application=renewal, at=at(END - dt.timedelta(days=29)))
    decisions.application_start_evaluation(actor=filed.clerk, application=renewal, at=at(END - dt.timedelta(days=28)))
    decisions.application_conclude_evaluation(actor=filed.clerk, application=renewal, passed=True, summary="合格",
                                              at=at(END - dt.timedelta(days=20)))
    filing = decisions.application_file(actor=filed.approver, application=renewal, at=at(END - dt.timedelta(days=10)))
    assert filing.code == filed.institution.code
    assert (filing.valid_from, filing.valid_until) == (dt.date(2029, 11, 20), dt.date(2032, 11, 19))


def test_the_command_and_the_task_run_the_sweep(bazhong: Authority) -> None:
    filed = bz_filed(bazhong)
    out = StringIO()
    with clock.frozen(at(END + dt.timedelta(days=1))):
        call_command("sweep-validity", stdout=out)
    assert "到期移出目录 1 家" in out.getvalue()
    assert filed.refresh().status == Institution.Status.EXPIRED
    assert "有效期巡检完成" in sweep_validity_task.call()
