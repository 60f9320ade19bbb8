"""A failing backend is recorded, never raised; phone numbers never reach the logs in full."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from skillreg.notifications.models import Delivery
from skillreg.notifications.services import notify
from skillreg.notifications.tests.conftest import FAILING_SMS, MASKED, MOBILE

pytestmark = pytest.mark.django_db


def test_a_failing_sms_backend_marks_the_delivery_failed_and_does_not_raise(
        settings, applicant, frozen_clock, mailoutbox, django_capture_on_commit_callbacks):
    settings.SKILLREG_SMS_BACKEND = FAILING_SMS
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="补正通知", body="x", at=frozen_clock)
    sms = n.deliveries.get(channel="sms")
    assert sms.status == Delivery.Status.FAILED
    assert "账户余额不足" in sms.error and "SmsSendError" in sms.error
    assert MOBILE not in sms.error and MASKED in sms.error
    assert sms.backend == FAILING_SMS
    # The other channel is unaffected.
    assert n.deliveries.get(channel="email").status == Delivery.Status.SENT
    assert len(mailoutbox) == 1


def test_a_failing_email_backend_marks_the_delivery_failed(settings, applicant, frozen_clock,
                                                           sms_outbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "skillreg.notifications.tests.test_delivery_failures.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="通知", body="x", at=frozen_clock)
    email = n.deliveries.get(channel="email")
    assert email.status == Delivery.Status.FAILED
    assert "ConnectionRefusedError" in email.error
    assert n.deliveries.get(channel="sms").status == Delivery.Status.SENT


def test_the_task_queue_being_down_leaves_the_deliveries_pending(
        settings, applicant, frozen_clock, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "skillreg.notifications.tests.test_delivery_failures.DownBackend"}}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        [n] = notify(recipients=[applicant], subject="通知", body="x", at=frozen_clock)
    assert set(n.deliveries.values_list("status", flat=True)) == {Delivery.Status.PENDING}


def test_no_full_phone_number_in_the_logs(settings, applicant, frozen_clock, caplog,
                                          django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[applicant], subject="通知", body="x", at=frozen_clock)
    settings.SKILLREG_SMS_BACKEND = FAILING_SMS
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[applicant], subject="通知二", body="y", at=frozen_clock)
    assert "短信已发送" in caplog.text and "短信发送失败" in caplog.text
    assert MASKED in caplog.text
    assert MOBILE not in caplog.text


def test_a_delivery_is_sent_once_even_if_the_task_runs_twice(applicant, frozen_clock, sms_outbox,
                                                             django_capture_on_commit_callbacks):
    from skillreg.notifications.tasks import deliver_notification

    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="通知", body="x", channels=["sms"], at=frozen_clock)
    deliver_notification.call(str(n.public_id))
    assert len(sms_outbox) == 1


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP 服务器拒绝连接")


class DownBackend:
    """A task backend whose queue cannot be reached."""

    def __init__(self, alias, params):  # type: ignore[no-untyped-def]
        self.alias = alias

    def validate_task(self, task):  # type: ignore[no-untyped-def]
        pass

    def enqueue(self, task, args, kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("队列不可用")
