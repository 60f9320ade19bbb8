"""Notices: the inbox row in the caller's transaction, email and SMS after it commits.

Callers (application decisions, the expiry sweep) do::

    with transaction.atomic():
        application_accept(...)
        notify(recipients=recipients_for_institution(inst), subject=..., body=...,
               link=reverse(...), related=application, at=at)

If the caller's transaction rolls back, neither the notice nor any message exists. Delivery
never raises into the caller: a backend failure is recorded on the Delivery row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import Http404

from skillreg.audit.services import record
from skillreg.core.errors import IllegalTransition, InvalidInput
from skillreg.notifications.backends import get_sms_backend, sms_backend_path
from skillreg.notifications.backends.base import SmsMessage
from skillreg.notifications.masking import mask_number, mask_text, normalize_mobile
from skillreg.notifications.models import Channel, Delivery, Notification
from skillreg.notifications.selectors import recipients_for_authority, recipients_for_institution

__all__ = [
    "deliver",
    "delivery_retry_failed",
    "notification_mark_read",
    "notify",
    "recipients_for_authority",
    "recipients_for_institution",
]

logger = logging.getLogger("skillreg.notifications")

DEFAULT_CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.SMS)
SMS_MAX_CHARS = 300  # long SMS are split and billed per 70 characters; keep notices short


# --------------------------------------------------------------------------- notify


def _validate_link(link: str) -> None:
    if link and (not link.startswith("/") or link.startswith("//")):
        raise InvalidInput("通知链接须为站内相对地址（以 / 开头）", field="link")


def _related_ref(related: models.Model | None) -> tuple[str, str]:
    if related is None:
        return "", ""
    return related._meta.label_lower, str(getattr(related, "public_id", None) or related.pk)


@transaction.atomic
def notify(*, recipients: Iterable[Any], subject: str, body: str, link: str = "",
           related: models.Model | None = None, channels: Sequence[str] = DEFAULT_CHANNELS,
           at: dt.datetime, dedupe_key: str = "") -> list[Notification]:
    """Create one inbox notice per recipient and schedule its email/SMS after commit.

    ``dedupe_key`` (e.g. ``"expiry-90:<filing public_id>"``) makes the call idempotent per
    recipient: a recipient who already has a notice with that key gets nothing new.
    Returns the notices created.
    """
    _validate_link(link)
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise InvalidInput(f"未知的通知渠道：{', '.join(sorted(unknown))}", field="channels")
    related_type, related_id = _related_ref(related)

    created: list[Notification] = []
    seen: set[Any] = set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient_id=user.pk, dedupe_key=dedupe_key).exists():
            continue
        try:
            # A savepoint, so that losing a race on the dedupe constraint leaves the
            # caller's transaction usable.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user, subject=subject, body=body, link=link,
                    related_type=related_type, related_id=related_id,
                    dedupe_key=dedupe_key, created_at=at,
                )
        except IntegrityError:
            if dedupe_key:
                continue
            raise
        Delivery.objects.bulk_create(
            [Delivery(notification=notification, channel=channel) for channel in dict.fromkeys(channels)]
        )
        created.append(notification)
        if channels:
            transaction.on_commit(partial(_schedule_delivery, str(notification.public_id)), robust=True)
    return created


def _schedule_delivery(notification_id: str) -> None:
    """Runs after commit: hand the delivery to the task queue; never raise into the request."""
    from skillreg.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id)
    except Exception:
        # The Delivery rows stay pending; ``manage.py deliver_notifications`` picks them up.
        logger.exception("通知投递任务入队失败 notification=%s", notification_id)


# --------------------------------------------------------------------------- read


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: Any, at: dt.datetime) -> Notification:
    """Mark the actor's own notification read. Anyone else's is not found (404)."""
    if actor is None or notification.recipient_id != actor.pk:
        raise Http404("未找到该通知")
    # Only the first reading counts; a second click or a concurrent one changes nothing.
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=at)
    if changed:
        notification.read_at = at
        record(actor=actor, action="notification.read", obj=notification,
               summary=f"阅读通知：{notification.subject}", after={"read_at": at}, at=at)
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


# --------------------------------------------------------------------------- deliver


def _absolute(link: str) -> str:
    base = getattr(settings, "SKILLREG_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base and link else ""


def _email_text(notification: Notification) -> str:
    parts = [notification.body]
    url = _absolute(notification.link)
    if url:
        parts.append(f"查看详情：{url}")
    parts.append("本通知同时发送至平台站内信，请登录平台查看。")
    return "\n\n".join(parts)


def _sms_text(notification: Notification) -> str:
    text = f"{notification.subject}：{notification.body}"
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 1] + "…"
    url = _absolute(notification.link)
    return f"{text} {url}" if url else f"{text}（详见平台站内信）"


def _finish(delivery: Delivery, *, status: str, at: dt.datetime, backend: str = "",
            address: str = "", error: str = "") -> None:
    """Move a claimed delivery out of pending; a row another worker finished is left alone."""
    if status not in Delivery.TRANSITIONS[Delivery.Status.PENDING]:
        raise IllegalTransition(f"投递记录不能从待发送改为 {status}")
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=status, attempted_at=at, backend=backend, address=address, error=error[:2000],
    )
    delivery.status, delivery.attempted_at, delivery.backend = status, at, backend
    delivery.address, delivery.error = address, error[:2000]


def _claim(delivery: Delivery, *, at: dt.datetime) -> bool:
    """Take a pending delivery for this worker: exactly one worker sees its update succeed."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, attempted_at=delivery.attempted_at,
    ).update(attempted_at=at) == 1


def _deliver_email(delivery: Delivery, user: Any, *, at: dt.datetime) -> None:
    notification = delivery.notification
    backend = getattr(settings, "EMAIL_BACKEND", "")
    address = (user.email or "").strip()
    if not address:
        _finish(delivery, status=Delivery.Status.SKIPPED, at=at, error="用户未登记电子邮箱")
        return
    masked = mask_text(address)
    try:
        sent = send_mail(notification.subject, _email_text(notification), None, [address],
                         fail_silently=False)
    except Exception as exc:
        error = mask_text(f"{type(exc).__name__}: {exc}")
        logger.warning("邮件发送失败 notification=%s backend=%s: %s",
                       notification.public_id, backend, error)
        _finish(delivery, status=Delivery.Status.FAILED, at=at, backend=backend,
                address=masked, error=error)
        return
    if sent:
        logger.info("邮件已发送 notification=%s", notification.public_id)
        _finish(delivery, status=Delivery.Status.SENT, at=at, backend=backend, address=masked)
    else:
        _finish(delivery, status=Delivery.Status.FAILED, at=at, backend=backend,
                address=masked, error="邮件后端未接受该邮件")


def _deliver_sms(delivery: Delivery, user: Any, *, at: dt.datetime) -> None:
    notification = delivery.notification
    backend_path = sms_backend_path()
    if not (user.phone or "").strip():
        _finish(delivery, status=Delivery.Status.SKIPPED, at=at, error="用户未登记手机号")
        return
    mobile = normalize_mobile(user.phone)
    if mobile is None:
        _finish(delivery, status=Delivery.Status.SKIPPED, at=at, address=mask_text(user.phone),
                error="登记的联系电话不是手机号，无法接收短信")
        return
    masked = mask_number(mobile)
    message = SmsMessage(to=mobile, body=_sms_text(notification), reference=str(notification.public_id))
    try:
        with get_sms_backend(backend_path) as backend:
            sent = backend.send_messages([message])
    except Exception as exc:
        error = mask_text(f"{type(exc).__name__}: {exc}")
        logger.warning("短信发送失败 notification=%s to=%s backend=%s: %s",
                       notification.public_id, masked, backend_path, error)
        _finish(delivery, status=Delivery.Status.FAILED, at=at, backend=backend_path,
                address=masked, error=error)
        return
    if sent:
        logger.info("短信已发送 notification=%s to=%s", notification.public_id, masked)
        _finish(delivery, status=Delivery.Status.SENT, at=at, backend=backend_path, address=masked)
    else:
        _finish(delivery, status=Delivery.Status.FAILED, at=at, backend=backend_path,
                address=masked, error="短信后端未接受该短信")


def deliver(*, notification: Notification, at: dt.datetime) -> list[Delivery]:
    """Attempt every pending delivery of ``notification``. Never raises for a backend failure.

    Runs outside any transaction (after the commit, in the task worker): each delivery's
    outcome is saved as soon as it is known, so one slow channel does not hold the other.
    """
    user = notification.recipient
    done: list[Delivery] = []
    pending = notification.deliveries.filter(status=Delivery.Status.PENDING).select_related("notification")
    for delivery in pending:
        if not _claim(delivery, at=at):
            continue
        delivery.attempted_at = at
        if not user.is_active:
            _finish(delivery, status=Delivery.Status.SKIPPED, at=at, error="用户已停用")
        elif delivery.channel == Channel.EMAIL:
            _deliver_email(delivery, user, at=at)
        elif delivery.channel == Channel.SMS:
            _deliver_sms(delivery, user, at=at)
        done.append(delivery)
    return done


def delivery_retry_failed(*, at: dt.datetime, older_than: dt.timedelta = dt.timedelta(0)) -> int:
    """Put failed deliveries back to pending (operator's retry). Returns how many moved."""
    return Delivery.objects.filter(
        status=Delivery.Status.FAILED, attempted_at__lte=at - older_than,
    ).update(status=Delivery.Status.PENDING, attempted_at=None)
