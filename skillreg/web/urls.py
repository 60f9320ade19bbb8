from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from skillreg.web import views


class FaviconView(RedirectView):
    # Browsers ask for /favicon.ico whatever the page links; resolved per request so that a
    # hashed static name (ManifestStaticFilesStorage) is looked up after start-up. Temporary:
    # a permanent redirect would pin an old hashed name in browsers' caches.
    permanent = False

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("web/favicon.ico")


app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
