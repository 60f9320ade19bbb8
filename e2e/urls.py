"""The project's URLs, with the account pages (second factor) mounted if the project does not yet.

Officials must give a TOTP code (skillreg.accounts.middleware); without the pages every one
of them gets a 503. Until ``skillreg/urls.py`` includes ``skillreg.accounts.urls`` the browser
tests add them here, and say so with a warning; once it does, this is the project's list.
"""

from django.urls import include, path

from skillreg.urls import urlpatterns as _project_urlpatterns

ACCOUNTS_MOUNTED = any(getattr(p, "namespace", None) == "accounts" for p in _project_urlpatterns)

urlpatterns = list(_project_urlpatterns)
if not ACCOUNTS_MOUNTED:
    urlpatterns.insert(0, path("account/", include("skillreg.accounts.urls")))
