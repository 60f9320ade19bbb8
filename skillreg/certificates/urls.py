from django.urls import path

from skillreg.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
    path("issue/", views.issue, name="issue"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/pdf/", views.pdf, name="pdf"),
    path("<uuid:public_id>/revoke/", views.revoke, name="revoke"),
]
