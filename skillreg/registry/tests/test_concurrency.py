"""Two officials acting on one application at the same instant leave one result."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit.models import AuditEvent
from skillreg.core import clock
from skillreg.core.errors import IllegalTransition
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Application
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import official, sc_form


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks between connections")
@pytest.mark.django_db(transaction=True)
def test_two_officials_accepting_at_the_same_time_leave_one_acceptance(bazhong: Authority) -> None:
    org = InstitutionFactory(authority=bazhong, region_code="511902", pack_id="sc-2021-appraisal",
                             body_kind="technical_school")
    applicant = User.objects.create(username="race-applicant", role=Role.INSTITUTION_USER, institution=org)
    app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
    app = svc.application_submit(actor=applicant, application=app, at=clock.now())
    clerks = [official(Role.FILING_OFFICIAL, bazhong, f"race-{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(clerk: User) -> None:
        try:
            barrier.wait()
            with clock.frozen(clock.now()):
                svc.application_accept(actor=clerk, application=Application.objects.get(pk=app.pk),
                                       at=clock.now())
            outcomes.append("accepted")
        except IllegalTransition as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(clerk,)) for clerk in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "accepted"
    assert outcomes.count("accepted") == 1
    assert any("已受理" in o for o in outcomes)
    assert AuditEvent.objects.filter(action="application.accepted").count() == 1


def _overdue_applications(bazhong: Authority, count: int) -> list[Application]:
    """``count`` applications whose supplement window (001 三(一)2(2): 5 working days) ran out."""
    clerk = official(Role.FILING_OFFICIAL, bazhong, "sweep-clerk")
    apps = []
    for n in range(count):
        org = InstitutionFactory(authority=bazhong, region_code="511902", pack_id="sc-2021-appraisal",
                                 body_kind="technical_school")
        applicant = User.objects.create(username=f"sweep-applicant-{n}", role=Role.INSTITUTION_USER,
                                        institution=org)
        app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
        app = svc.application_submit(actor=applicant, application=app, at=clock.now())
        svc.application_request_supplement(actor=clerk, application=app, at=clock.now(),
                                           items=[{"text": "缺少财务管理制度"}])
        apps.append(app)
    return apps


AFTER_THE_WINDOW = "2026-12-01T09:00:00+08:00"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks between connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_deadline_sweep_terminate_each_application_once(bazhong: Authority) -> None:
    """001 三(一)2(2): an overdue supplement ends the filing once, however many sweeps run."""
    import datetime as dt

    from skillreg.registry.sweep import sweep_deadlines

    apps = _overdue_applications(bazhong, 6)
    at = dt.datetime.fromisoformat(AFTER_THE_WINDOW)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(sweep_deadlines(at=at).terminated)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == len(apps)
    assert AuditEvent.objects.filter(action="application.terminated").count() == len(apps)
    assert Application.objects.filter(status=Application.Status.TERMINATED).count() == len(apps)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_interrupted_half_way_finishes_on_the_next_run_without_doing_anything_twice(
        bazhong: Authority, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each application is terminated in its own transaction: a sweep that dies after some
    leaves those done and the rest untouched, and the next run does exactly the rest."""
    import datetime as dt

    from skillreg.registry import sweep as sweep_module

    apps = _overdue_applications(bazhong, 4)
    at = dt.datetime.fromisoformat(AFTER_THE_WINDOW)
    real = sweep_module.application_terminate_overdue
    done: list[int] = []

    def dies_on_the_third(*, application: Application, at: dt.datetime) -> Application | None:
        if len(done) == 2:
            raise KeyboardInterrupt  # the process is stopped here
        result = real(application=application, at=at)
        done.append(application.pk)
        return result

    monkeypatch.setattr(sweep_module, "application_terminate_overdue", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        sweep_module.sweep_deadlines(at=at)
    assert Application.objects.filter(status=Application.Status.TERMINATED).count() == 2
    monkeypatch.setattr(sweep_module, "application_terminate_overdue", real)
    assert sweep_module.sweep_deadlines(at=at).terminated == 2
    assert sweep_module.sweep_deadlines(at=at).terminated == 0
    assert AuditEvent.objects.filter(action="application.terminated").count() == len(apps)
