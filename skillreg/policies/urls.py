from django.urls import path

from skillreg.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.compare_view, name="compare"),
    path("<slug:pack_id>/", views.pack_view, name="pack"),
    # Clause refs hold parentheses and Chinese (三(一)2(1), 第十五条); <path:> takes them as is.
    path("<slug:pack_id>/clauses/<path:ref>/", views.clause_view, name="clause"),
]
