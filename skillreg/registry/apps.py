from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillreg.registry"
    label = "registry"
    verbose_name = "机构备案"

    def ready(self) -> None:
        from skillreg.registry.receivers import recompute_provisional_deadlines
        from skillreg.workdays.signals import calendar_changed

        calendar_changed.connect(recompute_provisional_deadlines, dispatch_uid="registry.recompute_deadlines")
