from django.urls import path

from skillreg.certificates import views

app_name = "certificates"
urlpatterns = [path("", views.index, name="index")]
