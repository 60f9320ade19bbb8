"""notify(): inbox rows in the caller's transaction; email and SMS only after it commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from skillreg.accounts.factories import UserFactory
from skillreg.core.errors import InvalidInput
from skillreg.notifications.models import Delivery, Notification
from skillreg.notifications.services import notify
from skillreg.notifications.tests.conftest import MOBILE

pytestmark = pytest.mark.django_db


def test_it_creates_an_inbox_row_and_pending_deliveries(applicant, institution, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="您的备案申请已受理。",
                 link="/institutions/", related=institution, at=frozen_clock)
    assert n.recipient == applicant
    assert n.created_at == frozen_clock and n.read_at is None
    assert n.related_type == "registry.institution" and n.related_id == str(institution.public_id)
    assert sorted(n.deliveries.values_list("channel", "status")) == [
        ("email", "pending"), ("sms", "pending"),
    ]


def test_it_sends_nothing_before_the_commit(applicant, frozen_clock, mailoutbox, sms_outbox,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[applicant], subject="受理通知", body="已受理", at=frozen_clock)
    assert len(callbacks) == 1
    assert mailoutbox == [] and sms_outbox == []
    assert not Delivery.objects.exclude(status=Delivery.Status.PENDING).exists()

    callbacks[0]()  # the commit

    assert len(mailoutbox) == 1 and len(sms_outbox) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_it_sends_nothing_when_the_callers_transaction_rolls_back(
        applicant, frozen_clock, mailoutbox, sms_outbox, django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Refused),
          transaction.atomic()):
        notify(recipients=[applicant], subject="备案通知", body="准予备案", at=frozen_clock)
        raise Refused
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == [] and sms_outbox == []


def test_the_email_reaches_djangos_outbox(applicant, frozen_clock, mailoutbox,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[applicant], subject="补正通知", body="请补正以下材料：场地证明。",
               link="/institutions/", channels=["email"], at=frozen_clock)
    [mail] = mailoutbox
    assert mail.to == ["applicant@example.cn"]
    assert mail.subject == "补正通知"
    assert "请补正以下材料：场地证明。" in mail.body
    assert "https://skillreg.example.cn/institutions/" in mail.body


def test_the_sms_reaches_the_locmem_outbox(applicant, frozen_clock, sms_outbox,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="补正通知", body="请于5个工作日内补正。",
                     channels=["sms"], at=frozen_clock)
    [message] = sms_outbox
    assert message.to == MOBILE
    assert message.body.startswith("补正通知：请于5个工作日内补正。")
    assert message.reference == str(n.public_id)
    delivery = n.deliveries.get()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.address == "138****5678"
    assert delivery.backend.endswith("LocmemSmsBackend")
    assert delivery.attempted_at == frozen_clock


def test_a_recipient_without_email_or_phone_gets_skipped_deliveries(
        bz_official, frozen_clock, mailoutbox, sms_outbox, django_capture_on_commit_callbacks):
    bz_official.email, bz_official.phone = "", ""
    bz_official.save()
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[bz_official], subject="待办", body="有新的备案申请", at=frozen_clock)
    assert dict(n.deliveries.values_list("channel", "status")) == {
        "email": Delivery.Status.SKIPPED, "sms": Delivery.Status.SKIPPED,
    }
    assert mailoutbox == [] and sms_outbox == []
    assert Notification.objects.filter(recipient=bz_official).count() == 1  # the inbox still has it


def test_a_landline_is_skipped_for_sms(bz_official, frozen_clock, sms_outbox,
                                       django_capture_on_commit_callbacks):
    bz_official.phone = "0827-5260000"
    bz_official.save()
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[bz_official], subject="待办", body="x", channels=["sms"], at=frozen_clock)
    delivery = n.deliveries.get()
    assert delivery.status == Delivery.Status.SKIPPED
    assert "不是手机号" in delivery.error
    assert sms_outbox == []


def test_an_inactive_user_gets_the_inbox_row_but_no_message(applicant, frozen_clock, sms_outbox,
                                                            django_capture_on_commit_callbacks):
    applicant.is_active = False
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(recipients=[applicant], subject="通知", body="x", at=frozen_clock)
    assert set(n.deliveries.values_list("status", flat=True)) == {Delivery.Status.SKIPPED}
    assert sms_outbox == []


def test_each_recipient_gets_one_notice_even_if_listed_twice(applicant, bz_official, frozen_clock):
    created = notify(recipients=[applicant, bz_official, applicant], subject="通知", body="x",
                     at=frozen_clock)
    assert [n.recipient for n in created] == [applicant, bz_official]


def test_a_dedupe_key_sends_a_reminder_once(applicant, frozen_clock, sms_outbox,
                                            django_capture_on_commit_callbacks):
    # 000 二(四): reminders 90 and 30 days before expiry; the daily sweep may run twice.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[applicant], subject="备案即将到期", body="还有90天到期",
                   dedupe_key="expiry-90:filing-1", at=frozen_clock)
    assert Notification.objects.filter(recipient=applicant).count() == 1
    assert len(sms_outbox) == 1


def test_no_channels_means_inbox_only(applicant, frozen_clock, mailoutbox, sms_outbox,
                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [n] = notify(recipients=[applicant], subject="通知", body="x", channels=(), at=frozen_clock)
    assert callbacks == [] and not n.deliveries.exists()
    assert mailoutbox == [] and sms_outbox == []


@pytest.mark.parametrize("link", ["https://evil.example.com/", "//evil.example.com/x", "institutions/"])
def test_it_refuses_a_link_that_leaves_the_site(applicant, frozen_clock, link):
    with pytest.raises(InvalidInput):
        notify(recipients=[applicant], subject="通知", body="x", link=link, at=frozen_clock)
    assert not Notification.objects.exists()


def test_it_refuses_an_unknown_channel(applicant, frozen_clock):
    with pytest.raises(InvalidInput):
        notify(recipients=[applicant], subject="通知", body="x", channels=["fax"], at=frozen_clock)


def test_the_database_refuses_an_absolute_link(applicant, frozen_clock):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=applicant, subject="s", body="b",
                                    link="http://evil.example.com/", created_at=frozen_clock)


def test_it_works_for_many_recipients(frozen_clock, bazhong, sms_outbox, django_capture_on_commit_callbacks):
    users = [UserFactory(authority=bazhong, phone=f"1390000{i:04d}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=users, subject="通知", body="x", channels=["sms"], at=frozen_clock)
    assert sorted(m.to for m in sms_outbox) == ["13900000000", "13900000001", "13900000002"]
