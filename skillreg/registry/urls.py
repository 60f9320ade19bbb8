from django.urls import path

from skillreg.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.institution_list, name="list"),
    path("<uuid:public_id>/", views.institution_detail, name="detail"),
]
