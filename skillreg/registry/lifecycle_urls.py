"""Pages of the filed institution's life; included into the ``registry`` namespace."""

from django.urls import path

from skillreg.registry import lifecycle_views as views

urlpatterns = [
    path("lifecycle/", views.index, name="lifecycle"),
    path("lifecycle/institutions/<uuid:public_id>/", views.institution_page, name="lifecycle_institution"),
    path("lifecycle/institutions/<uuid:public_id>/<slug:action>/", views.institution_action,
         name="lifecycle_institution_action"),
    path("lifecycle/changes/<uuid:public_id>/", views.change_page, name="lifecycle_change"),
    path("lifecycle/changes/<uuid:public_id>/<slug:action>/", views.change_action, name="lifecycle_change_action"),
    path("lifecycle/cancellations/<uuid:public_id>/<slug:action>/", views.cancellation_action,
         name="lifecycle_cancellation_action"),
    path("lifecycle/branch-reports/<uuid:public_id>/withdraw/", views.branch_report_withdraw,
         name="lifecycle_branch_withdraw"),
    path("lifecycle/projects/", views.project_requests, name="lifecycle_projects"),
    path("lifecycle/projects/<uuid:public_id>/<slug:action>/", views.project_request_action,
         name="lifecycle_project_action"),
    path("lifecycle/stop-orders/", views.stop_orders, name="lifecycle_stop_orders"),
]
