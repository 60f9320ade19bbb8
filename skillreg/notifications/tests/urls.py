"""The project's URLs plus this app at /notifications/, for the view tests."""

from django.urls import include, path

from skillreg.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *(p for p in project_urlpatterns if getattr(p, "app_name", None) != "notifications"),
    path("notifications/", include("skillreg.notifications.urls")),
]
