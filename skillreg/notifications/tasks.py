from __future__ import annotations

from django_tasks import task

from skillreg.core import clock
from skillreg.notifications.models import Notification
from skillreg.notifications.services import deliver


@task()
def deliver_notification(notification_id: str) -> dict[str, int]:
    """Send a notification's pending email/SMS. Enqueued by ``notify`` after the commit.

    Returns how many deliveries ended in each status, for the task result.
    """
    notification = (
        Notification.objects.select_related("recipient").filter(public_id=notification_id).first()
    )
    if notification is None:
        return {}
    counts: dict[str, int] = {}
    for delivery in deliver(notification=notification, at=clock.now()):
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts
