"""Send the email/SMS deliveries still pending (a task worker that was down, or crashed).

    python manage.py deliver_notifications [--retry-failed]

A delivery claimed by a worker more than ``--stale-minutes`` ago and still pending is taken
as abandoned and attempted again.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q

from skillreg.core import clock
from skillreg.notifications.models import Delivery, Notification
from skillreg.notifications.services import deliver, delivery_retry_failed


class Command(BaseCommand):
    help = "投递尚未发送的通知邮件和短信；--retry-failed 同时重试发送失败的投递。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--retry-failed", action="store_true", help="把发送失败的投递重新置为待发送")
        parser.add_argument("--stale-minutes", type=int, default=15,
                            help="已领取但超过该分钟数仍未完成的投递视为中断，重新发送（默认 15）")

    def handle(self, *args: Any, **options: Any) -> None:
        at = clock.now()
        retried = delivery_retry_failed(at=at) if options["retry_failed"] else 0
        stale_before = at - dt.timedelta(minutes=options["stale_minutes"])
        ids = (
            Delivery.objects.filter(status=Delivery.Status.PENDING)
            .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lte=stale_before))
            .values_list("notification_id", flat=True).distinct()
        )
        counts = {status: 0 for status in Delivery.Status.values}
        for notification in Notification.objects.filter(pk__in=list(ids)).select_related("recipient"):
            # Forget abandoned claims so that deliver() can claim them again.
            notification.deliveries.filter(
                status=Delivery.Status.PENDING, attempted_at__lte=stale_before,
            ).update(attempted_at=None)
            for delivery in deliver(notification=notification, at=at):
                counts[delivery.status] += 1
        total = counts["sent"] + counts["failed"] + counts["skipped"]
        self.stdout.write(
            f"投递 {total} 条：已发送 {counts['sent']}，失败 {counts['failed']}，"
            f"未发送（无联系方式）{counts['skipped']}；重置失败 {retried} 条"
        )
