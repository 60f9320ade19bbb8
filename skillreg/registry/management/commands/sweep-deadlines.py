from django.core.management.base import BaseCommand

from skillreg.registry.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "巡检各项办理期限：补正期限届满未补正的申请自动终止办理。"

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(sweep_deadlines().summary())
