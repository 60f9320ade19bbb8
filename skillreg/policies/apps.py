from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "skillreg.policies"
    label = "policies"
    verbose_name = "政策包"

    def ready(self) -> None:
        # Load and validate every pack now: a malformed pack raises PackError
        # (an ImproperlyConfigured) and stops start-up, naming the file, key and reason.
        from skillreg.policies import registry

        registry.load()
