from django.urls import path

from skillreg.exams import views

app_name = "exams"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan"),
    path("plans/<uuid:public_id>/do/<slug:action>/", views.plan_action, name="plan_action"),
    path("plans/<uuid:public_id>/import/", views.import_start, name="import_start"),
    path("plans/<uuid:public_id>/roster.xlsx", views.roster_export, name="roster_export"),
    path("plans/<uuid:public_id>/results.xlsx", views.results_export, name="results_export"),
    path("registrations/<uuid:public_id>/", views.registration_detail, name="registration"),
    path("imports/<uuid:public_id>/", views.import_detail, name="import"),
    path("imports/<uuid:public_id>/decide/", views.import_decide, name="import_decide"),
    path("roster-template.xlsx", views.roster_template, name="roster_template"),
    path("assessors/", views.assessor_pool, name="assessors"),
    path("assessors/<uuid:public_id>/", views.assessor_detail, name="assessor"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/<uuid:public_id>/", views.venue_detail, name="venue"),
    path("training/", views.training_list, name="training"),
    path("training/import/", views.training_import, name="training_import"),
    path("training/<int:pk>/", views.training_roster, name="training_roster"),
    path("trainee-template.xlsx", views.trainee_template, name="trainee_template"),
]
