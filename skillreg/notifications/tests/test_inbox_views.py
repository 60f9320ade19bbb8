from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from skillreg.conftest import login
from skillreg.notifications.models import Notification
from skillreg.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mounted(settings):  # type: ignore[no-untyped-def]
    # Until the lead mounts the app at /notifications/, mount it for these tests.
    settings.ROOT_URLCONF = "skillreg.notifications.tests.urls"


def test_the_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302


def test_the_inbox_shows_only_the_users_own_notifications(applicant, bz_official, frozen_clock):
    notify(recipients=[applicant], subject="给申请人的通知", body="x", at=frozen_clock)
    notify(recipients=[bz_official], subject="给经办人的通知", body="y", at=frozen_clock)
    page = login(applicant).get(reverse("notifications:inbox")).content.decode()
    assert "给申请人的通知" in page
    assert "给经办人的通知" not in page


def test_unread_notices_are_bold_and_newest_first(applicant, frozen_clock):
    notify(recipients=[applicant], subject="较早的通知", body="x", at=frozen_clock - dt.timedelta(days=1))
    [newer] = notify(recipients=[applicant], subject="较新的通知", body="y", at=frozen_clock)
    newer.read_at = frozen_clock
    newer.save()
    page = login(applicant).get(reverse("notifications:inbox")).content.decode()
    assert page.index("较新的通知") < page.index("较早的通知")
    assert "<strong>较早的通知</strong>" in page
    assert "<strong>较新的通知</strong>" not in page


def test_the_inbox_is_paginated_by_20(applicant, frozen_clock):
    for i in range(25):
        notify(recipients=[applicant], subject=f"通知{i:02d}", body="x", channels=(),
               at=frozen_clock + dt.timedelta(minutes=i))
    client = login(applicant)
    first = client.get(reverse("notifications:inbox"))
    assert len(first.context["page"]) == 20
    assert "通知24" in first.content.decode()
    second = client.get(reverse("notifications:inbox"), {"page": 2})
    assert len(second.context["page"]) == 5
    assert "通知00" in second.content.decode()


def test_marking_read_by_post(applicant, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    response = login(applicant).post(reverse("notifications:mark_read", args=[n.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")
    n.refresh_from_db()
    assert n.read_at == frozen_clock


def test_opening_a_notice_marks_it_read_and_follows_its_link(applicant, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", link="/institutions/", at=frozen_clock)
    response = login(applicant).post(reverse("notifications:mark_read", args=[n.public_id]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/institutions/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_marking_someone_elses_notification_is_404(applicant, bz_official, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    response = login(bz_official).post(reverse("notifications:mark_read", args=[n.public_id]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_marking_read_needs_post(applicant, frozen_clock):
    [n] = notify(recipients=[applicant], subject="受理通知", body="x", at=frozen_clock)
    response = login(applicant).get(reverse("notifications:mark_read", args=[n.public_id]))
    assert response.status_code == 405
