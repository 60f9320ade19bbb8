from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "skillreg.audit"
    label = "audit"
    verbose_name = "审计"
