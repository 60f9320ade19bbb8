from django.urls import path

from skillreg.evaluation import views

app_name = "evaluation"
urlpatterns = [path("", views.my_assignments, name="mine")]
