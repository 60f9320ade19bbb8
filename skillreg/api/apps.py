from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "skillreg.api"
    label = "api"
    verbose_name = "接口"
