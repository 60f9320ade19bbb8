"""The project's URLs with the account pages mounted at /account/ (for tests).

Until ``skillreg/urls.py`` mounts ``skillreg.accounts.urls`` itself, tests that walk the
second-factor flow use this URL configuration; once it does, this is the same list.
"""

from django.urls import include, path

from skillreg.urls import urlpatterns as _project_urlpatterns


def _accounts_mounted() -> bool:
    return any(getattr(p, "namespace", None) == "accounts" for p in _project_urlpatterns)


urlpatterns = list(_project_urlpatterns)
if not _accounts_mounted():
    urlpatterns.insert(0, path("account/", include("skillreg.accounts.urls")))
