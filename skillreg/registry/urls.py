from django.urls import path

from skillreg.registry import application_views, views

app_name = "registry"
urlpatterns = [
    path("institutions/", views.institution_list, name="list"),
    path("institutions/<uuid:public_id>/", views.institution_detail, name="detail"),
    path("applications/", application_views.worklist, name="worklist"),
    path("applications/new/", application_views.application_new, name="application_new"),
    path("applications/<uuid:public_id>/", application_views.application_detail, name="application"),
    path("applications/<uuid:public_id>/<slug:action>/", application_views.application_action,
         name="application_action"),
]
