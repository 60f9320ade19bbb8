from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillreg.registry"
    label = "registry"
    verbose_name = "机构备案"
