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
