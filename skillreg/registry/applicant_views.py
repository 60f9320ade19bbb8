from django.http import Http404, HttpRequest, HttpResponse


def register_organisation(request: HttpRequest) -> HttpResponse:
    raise Http404


def edit_application(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404
