from django.urls import path

from skillreg.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.my_assignments, name="mine"),
    path("experts/", views.pool_page, name="pool"),
    path("experts/<uuid:expert_id>/<str:action>/", views.expert_action, name="expert_action"),
    path("photos/<uuid:file_id>/", views.photo, name="photo"),
    path("applications/<uuid:public_id>/", views.panel_page, name="panel"),
    path("applications/<uuid:public_id>/score/", views.score_page, name="score"),
    path("applications/<uuid:public_id>/score/decline/", views.decline_page, name="decline"),
    path("applications/<uuid:public_id>/<str:action>/", views.panel_action, name="panel_action"),
]
