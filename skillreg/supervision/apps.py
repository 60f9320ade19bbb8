from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "skillreg.supervision"
    label = "supervision"
    verbose_name = "监督管理"
