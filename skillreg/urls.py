from django.contrib import admin
from django.urls import include, path

from skillreg.api.api import api

urlpatterns = [
    # First: the API (and its public lookups) matches without trying every page's pattern (issue 8).
    path("api/v1/", api.urls),
    path("", include("skillreg.web.urls")),
    path("policies/", include("skillreg.policies.urls")),
    path("calendar/", include("skillreg.workdays.urls")),
    path("", include("skillreg.registry.urls")),
    path("account/", include("skillreg.accounts.urls")),
    path("notifications/", include("skillreg.notifications.urls")),
    path("evaluation/", include("skillreg.evaluation.urls")),
    path("supervision/", include("skillreg.supervision.urls")),
    path("exams/", include("skillreg.exams.urls")),
    path("certificates/", include("skillreg.certificates.urls")),
    path("archives/", include("skillreg.archives.urls")),
    path("admin/", admin.site.urls),
]
