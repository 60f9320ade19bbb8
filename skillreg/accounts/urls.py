from django.urls import path

from skillreg.accounts import views

app_name = "accounts"
urlpatterns = [
    path("2fa/", views.second_factor_verify, name="2fa-verify"),
    path("2fa/enrol/", views.second_factor_enrol, name="2fa-enrol"),
    path("security/", views.security, name="security"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
]
