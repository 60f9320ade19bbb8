"""Routes of the filed institution's life (validity, renewal, changes, branches, suspension,
cancellation, project catalogue); included into the registry namespace by registry/urls.py."""

from django.urls import path

from skillreg.registry import lifecycle_views as views

urlpatterns = [
    path("lifecycle/", views.index, name="lifecycle"),
]
