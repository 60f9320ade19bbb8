from django.urls import path

from skillreg.archives import views

app_name = "archives"
urlpatterns = [
    path("", views.index, name="index"),
    path("screenings/", views.screenings, name="screenings"),
    path("screenings/<uuid:public_id>/", views.screening_detail, name="screening"),
    path("screenings/<uuid:public_id>/xlsx", views.screening_xlsx, name="screening_xlsx"),
    path("screenings/<uuid:public_id>/retry", views.screening_retry, name="screening_retry"),
    path("screenings/<uuid:public_id>/violation", views.screening_violation, name="screening_violation"),
    path("records/", views.records, name="records"),
    path("records/<uuid:public_id>/", views.record_detail, name="record"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.<str:fmt>", views.ledger_export, name="ledger_export"),
]
