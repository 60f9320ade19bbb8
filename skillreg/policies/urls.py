from django.http import HttpResponse
from django.urls import path

app_name = "policies"
urlpatterns = [path("", lambda r: HttpResponse("placeholder"), name="compare")]
