from django.urls import path

from skillreg.archives import views

app_name = "archives"
urlpatterns = [path("", views.index, name="index")]
