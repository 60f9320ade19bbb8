from django.urls import path

from skillreg.supervision import public_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plans, name="plans"),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan"),
    path("plans/<uuid:public_id>/<slug:action>/", views.plan_action, name="plan_action"),
    path("inspections/<uuid:public_id>/", views.inspection_detail, name="inspection"),
    path("inspections/<uuid:public_id>/evidence/<uuid:file_id>/", views.evidence, name="evidence"),
    path("institutions/<uuid:public_id>/", views.institution_file, name="institution_file"),
    path("violations/<uuid:public_id>/", views.violation_detail, name="violation"),
    path("rectifications/<uuid:public_id>/close/", views.rectification_close, name="rectification_close"),
    path("proposals/<uuid:public_id>/", views.proposal_detail, name="proposal"),
    path("inactivity/<int:pk>/decide/", views.inactivity_decide, name="inactivity_decide"),
    path("complaints/", views.complaints, name="complaints"),
    path("reports/", views.annual_reports, name="annual_reports"),
    path("reports/year-end.xlsx", views.year_end_xlsx, name="year_end_xlsx"),
    path("reports/<uuid:public_id>/", views.annual_report_detail, name="annual_report"),
    path("reports/<uuid:public_id>/files/<uuid:file_id>/", views.annual_report_file, name="annual_report_file"),
    path("documents/<slug:kind>/<uuid:public_id>.<slug:fmt>", views.decision_document, name="document"),
    path("complaints/<uuid:public_id>/", views.complaint_detail, name="complaint"),
    # Public, no login.
    path("public/complaints/new/", public_views.complaint_new, name="complaint_new"),
    path("public/complaints/follow/", public_views.complaint_follow, name="complaint_follow"),
    path("public/inspections/", public_views.public_results, name="public_results"),
    path("public/sanctions/", public_views.public_sanctions, name="public_sanctions"),
]
