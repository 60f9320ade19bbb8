from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from skillreg.core import clock
from skillreg.notifications.models import Delivery
from skillreg.notifications.services import notify
from skillreg.notifications.tests.conftest import FAILING_SMS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("deliver_notifications", *args, stdout=out)
    return out.getvalue()


def test_it_sends_what_the_worker_never_picked_up(applicant, frozen_clock, sms_outbox, mailoutbox):
    notify(recipients=[applicant], subject="通知", body="x", at=frozen_clock)  # callbacks never run
    assert run() == "投递 2 条：已发送 2，失败 0，未发送（无联系方式）0；重置失败 0 条\n"
    assert len(sms_outbox) == 1 and len(mailoutbox) == 1
    assert run().startswith("投递 0 条")


def test_it_retries_failed_deliveries_when_asked(settings, applicant, frozen_clock, sms_outbox,
                                                 django_capture_on_commit_callbacks):
    settings.SKILLREG_SMS_BACKEND = FAILING_SMS
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="通知", body="x", channels=["sms"], at=frozen_clock)
    assert n.deliveries.get().status == Delivery.Status.FAILED
    assert run().startswith("投递 0 条")
    settings.SKILLREG_SMS_BACKEND = "skillreg.notifications.backends.sms.LocmemSmsBackend"
    assert "重置失败 1 条" in run("--retry-failed")
    assert n.deliveries.get().status == Delivery.Status.SENT
    assert len(sms_outbox) == 1


def test_it_takes_over_a_claim_abandoned_by_a_crashed_worker(applicant, frozen_clock, sms_outbox):
    [n] = notify(recipients=[applicant], subject="通知", body="x", channels=["sms"], at=frozen_clock)
    n.deliveries.update(attempted_at=frozen_clock)  # claimed, then the worker died
    assert run().startswith("投递 0 条")  # too recent to call abandoned
    with clock.frozen(frozen_clock + dt.timedelta(minutes=20)):
        assert run().startswith("投递 1 条：已发送 1")
    assert len(sms_outbox) == 1
