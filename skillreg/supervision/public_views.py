"""Public pages, no login: the complaint form and follow-up, inspection results, sanctions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.supervision import ratelimit, selectors
from skillreg.supervision.forms import ComplaintForm, TrackForm
from skillreg.supervision.services import complaints as complaint_services
from skillreg.supervision.services.inspections import publish_rule


def _apply_error(form: ComplaintForm | TrackForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None, initial={"institution_code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.check(request, "submit")
            complaint, secret = complaint_services.complaint_submit(
                institution_code=form.cleaned_data["institution_code"], subject=form.cleaned_data["subject"],
                content=form.cleaned_data["content"], name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"], at=clock.now(),
            )
        except DomainError as exc:
            _apply_error(form, exc)
            status = exc.status
        else:
            return render(request, "supervision/public/complaint_done.html",
                          {"complaint": complaint, "secret": secret})
    elif request.method == "POST":
        status = 422
    return render(request, "supervision/public/complaint_new.html",
                  {"form": form, "default_days": complaint_services.answer_rule("bz-2023-special")[0]},
                  status=status)


def complaint_follow(request: HttpRequest) -> HttpResponse:
    """Tracking number and secret are POSTed so the secret never lands in a URL or a log."""
    form = TrackForm(request.POST or None)
    complaint = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.check(request, "track")
            complaint = complaint_services.complaint_track(tracking_number=form.cleaned_data["tracking_number"],
                                                           secret=form.cleaned_data["secret"])
        except DomainError as exc:
            _apply_error(form, exc)
            status = 404 if exc.code == "not_found" else exc.status
    return render(request, "supervision/public/complaint_follow.html", {
        "form": form, "complaint": complaint,
        "overdue": complaint is not None and complaint_services.is_overdue(complaint, clock.today()),
    }, status=status)


def public_results(request: HttpRequest) -> HttpResponse:
    _days, basis = publish_rule()
    return render(request, "supervision/public/results.html",
                  {"inspections": selectors.published_inspections()[:500], "publish_basis": basis})


def public_sanctions(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/public/sanctions.html", {
        "revocations": selectors.public_revocations()[:500],
        "blacklist": selectors.public_blacklist()[:500],
    })
