from django.http import Http404, HttpRequest, HttpResponse


def directory(request: HttpRequest) -> HttpResponse:
    raise Http404


def directory_entry(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404


def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    raise Http404
