from django.http import Http404, HttpRequest, HttpResponse


def my_assignments(request: HttpRequest) -> HttpResponse:
    raise Http404
