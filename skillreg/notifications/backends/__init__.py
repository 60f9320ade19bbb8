"""SMS backends, chosen the way Django chooses its email backend.

``SKILLREG_SMS_BACKEND`` is a dotted path to a class; ``get_sms_backend()`` builds one.
Shipped: ``sms.ConsoleSmsBackend`` (the default), ``sms.FileSmsBackend``,
``sms.LocmemSmsBackend`` (tests). Email needs no backend of ours: it goes through
``django.core.mail.send_mail`` and Django's own ``EMAIL_BACKEND``.

Adding a real gateway (for example a provider's HTTP API) is one class::

    # myproject/sms_gateway.py
    from skillreg.notifications.backends.base import BaseSmsBackend, SmsMessage

    class GatewaySmsBackend(BaseSmsBackend):
        def __init__(self, *, fail_silently=False, **kwargs):
            super().__init__(fail_silently=fail_silently, **kwargs)
            self.endpoint = settings.SMS_GATEWAY_URL      # secrets from the environment
            self.key = os.environ["SMS_GATEWAY_KEY"]

        def send_messages(self, messages):
            sent = 0
            for message in messages:
                response = httpx.post(self.endpoint, json={"to": message.to, "text": message.body},
                                      headers={"Authorization": f"Bearer {self.key}"}, timeout=10)
                if response.is_success:
                    sent += 1
                elif not self.fail_silently:
                    raise SmsSendError(f"网关返回 {response.status_code}")
            return sent

and ``SKILLREG_SMS_BACKEND = "myproject.sms_gateway.GatewaySmsBackend"``. Raise on failure
(the delivery is then recorded ``failed`` with the error text, phone numbers masked) or
return fewer than were given. Never log ``message.to`` unmasked: use
``skillreg.notifications.masking.mask_number``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from skillreg.notifications.backends.base import BaseSmsBackend, SmsMessage, SmsSendError

DEFAULT_SMS_BACKEND = "skillreg.notifications.backends.sms.ConsoleSmsBackend"

__all__ = ["DEFAULT_SMS_BACKEND", "BaseSmsBackend", "SmsMessage", "SmsSendError",
           "get_sms_backend", "sms_backend_path"]


def sms_backend_path() -> str:
    return getattr(settings, "SKILLREG_SMS_BACKEND", DEFAULT_SMS_BACKEND)


def get_sms_backend(backend: str | None = None, *, fail_silently: bool = False,
                    **kwargs: Any) -> BaseSmsBackend:
    klass = import_string(backend or sms_backend_path())
    return klass(fail_silently=fail_silently, **kwargs)
