from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode


def verify_url(number: str, request: HttpRequest | None = None) -> str:
    """The public verification page for ``number``, absolute (the QR code carries it).

    ``SKILLREG_SITE_URL`` (the address the public reaches) wins over the request's host, so a
    certificate printed from an intranet address still points where the public can go.
    """
    path = f"{reverse('certificates:verify')}?{urlencode({'number': number})}"
    site = getattr(settings, "SKILLREG_SITE_URL", "").rstrip("/")
    if site:
        return site + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
