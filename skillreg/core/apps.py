from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "skillreg.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from skillreg.core import clock

        clock.configure_from_env()
