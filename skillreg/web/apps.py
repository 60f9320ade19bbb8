from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skillreg.web"
    label = "web"
    verbose_name = "网页"
