from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from skillreg.core import clock
from skillreg.notifications.selectors import notification_for, notifications_for, unread_count
from skillreg.notifications.services import notification_mark_read

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html",
                  {"page": page, "unread": unread_count(request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseRedirect:
    notification = notification_for(request.user, public_id)
    notification_mark_read(notification=notification, actor=request.user, at=clock.now())
    if request.POST.get("open") and notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ):
        return redirect(notification.link)
    target = reverse("notifications:inbox")
    page = request.POST.get("page", "")
    if page.isdigit():
        target += f"?page={page}"
    return redirect(target)
