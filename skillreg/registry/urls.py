from django.urls import path

from skillreg.registry import applicant_views, application_views, public_views, views
from skillreg.registry.lifecycle_urls import urlpatterns as lifecycle_urlpatterns

app_name = "registry"
urlpatterns = [
    path("institutions/", views.institution_list, name="list"),
    path("institutions/<uuid:public_id>/", views.institution_detail, name="detail"),
    path("register/", applicant_views.register_organisation, name="register"),
    path("applications/", application_views.worklist, name="worklist"),
    path("applications/new/", application_views.application_new, name="application_new"),
    path("applications/<uuid:public_id>/", application_views.application_detail, name="application"),
    path("applications/<uuid:public_id>/documents/<str:kind>.<str:fmt>", application_views.application_document,
         name="application_document"),
    path("applications/<uuid:public_id>/edit/", applicant_views.edit_application, name="application_edit"),
    path("applications/<uuid:public_id>/<slug:action>/", application_views.application_action,
         name="application_action"),
    path("directory/", public_views.directory, name="directory"),
    path("directory/export.<str:fmt>", public_views.directory_export, name="directory_export"),
    path("directory/<str:code>/", public_views.directory_entry, name="directory_entry"),
]
urlpatterns += lifecycle_urlpatterns
