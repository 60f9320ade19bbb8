from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "skillreg.policies"
    label = "policies"
    verbose_name = "政策包"
