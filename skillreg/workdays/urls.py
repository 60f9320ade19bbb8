from django.urls import path

from skillreg.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("years/enter/", views.enter_year, name="enter_year"),
]
