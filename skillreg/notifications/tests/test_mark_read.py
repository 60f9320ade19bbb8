from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from skillreg.audit.models import AuditEvent
from skillreg.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


def test_it_marks_the_recipients_own_notification_read_and_audits_it(applicant, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    later = frozen_clock + dt.timedelta(hours=1)
    notification_mark_read(notification=n, actor=applicant, at=later)
    n.refresh_from_db()
    assert n.read_at == later
    event = AuditEvent.objects.get(action="notification.read")
    assert event.actor_id == applicant.pk and event.object_id == str(n.public_id)


def test_reading_twice_keeps_the_first_reading(applicant, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    notification_mark_read(notification=n, actor=applicant, at=frozen_clock)
    again = notification_mark_read(notification=n, actor=applicant, at=frozen_clock + dt.timedelta(days=1))
    assert again.read_at == frozen_clock
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_marking_someone_elses_notification_is_404(applicant, bz_official, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    with pytest.raises(Http404):
        notification_mark_read(notification=n, actor=bz_official, at=frozen_clock)
    n.refresh_from_db()
    assert n.read_at is None
