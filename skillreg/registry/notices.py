"""Messages to the applicant: in the application (inbox) and through the message backends,
after the transaction commits (the notifications app schedules delivery on commit)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from skillreg.notifications.services import notify, recipients_for_institution
from skillreg.registry.models import Application


def notify_applicant(application: Application, *, subject: str, body: str, at: dt.datetime,
                     items: list[dict[str, str]] | None = None) -> None:
    lines = [body]
    for n, item in enumerate(items or [], start=1):
        lines.append(f"{n}. {item['text']}" + (f"（{item['source']}）" if item.get("source") else ""))
    recipients = list(recipients_for_institution(application.institution))
    if not recipients:
        return
    notify(recipients=recipients, subject=subject, body="\n".join(lines),
           link=reverse("registry:application", args=[application.public_id]), related=application, at=at)
