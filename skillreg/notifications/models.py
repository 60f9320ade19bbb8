"""The in-app inbox (Notification) and what happened on each outside channel (Delivery)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class Notification(models.Model):
    """One notice to one user. The inbox page is a list of these; nothing else stores the text."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
        verbose_name="接收人",
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("站内链接", max_length=500, blank=True)
    related_type = models.CharField("关联对象类型", max_length=100, blank=True)
    related_id = models.CharField("关联对象编号", max_length=64, blank=True)
    # Lets a sweep that may run twice (expiry reminders, 90 and 30 days before) send once.
    dedupe_key = models.CharField("去重键", max_length=150, blank=True)
    created_at = models.DateTimeField("发出时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page: a user's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The unread counter in the page header.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                         name="notification_unread_idx"),
        ]
        constraints = [
            # Links are inside the site; an absolute URL in a notice is a phishing vector.
            models.CheckConstraint(
                condition=models.Q(link="")
                | (models.Q(link__startswith="/") & ~models.Q(link__startswith="//")),
                name="notification_link_is_relative",
            ),
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                name="notification_dedupe_once_per_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One attempt to carry a notification over one channel (email or SMS).

    Created ``pending`` with the notification, in the caller's transaction; the delivery task
    moves it to ``sent``, ``failed`` or ``skipped`` after the commit.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "未发送（无联系方式）"

    # The allowed moves. A failed delivery goes back to pending only when an operator
    # retries it (``manage.py deliver_notifications --retry-failed``).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.SENT, Status.FAILED, Status.SKIPPED}),
        Status.FAILED: frozenset({Status.PENDING}),
        Status.SENT: frozenset(),
        Status.SKIPPED: frozenset(),
    }

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    backend = models.CharField("发送后端", max_length=200, blank=True)
    # Masked (138****5678): enough to tell which number was used, not the number itself.
    address = models.CharField("接收地址（已脱敏）", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempted_at = models.DateTimeField("尝试时间", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知投递记录"
        ordering = ["notification_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"],
                                    name="delivery_one_per_channel"),
        ]
        indexes = [
            # deliver_notifications: the pending deliveries a crashed or absent worker left.
            models.Index(fields=["attempted_at"], condition=models.Q(status="pending"),
                         name="delivery_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()}"
