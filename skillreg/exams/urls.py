from django.urls import path

from skillreg.exams import views

app_name = "exams"
urlpatterns = [path("", views.index, name="index")]
