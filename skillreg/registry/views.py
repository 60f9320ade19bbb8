from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skillreg.audit.selectors import timeline_for
from skillreg.registry.selectors import institution_for, institutions_visible_to


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    institutions = institutions_visible_to(request.user).order_by("region_code", "name")[:200]
    return render(request, "registry/list.html", {"institutions": institutions})


@login_required
def institution_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    institution = institution_for(request.user, public_id)
    events = timeline_for(object_type="registry.institution", object_id=str(institution.public_id))
    return render(request, "registry/detail.html", {"institution": institution, "events": events})
