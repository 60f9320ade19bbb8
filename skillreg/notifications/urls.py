from django.urls import path

from skillreg.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/read/", views.mark_read, name="mark_read"),
]
