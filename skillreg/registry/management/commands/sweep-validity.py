from django.core.management.base import BaseCommand

from skillreg.registry.services.lifecycle import sweep_validity


class Command(BaseCommand):
    help = "巡检备案有效期：期满前 90 日、30 日提醒，期满次日移出有效目录（已按时申请延续的除外）。"

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(sweep_validity().summary())
