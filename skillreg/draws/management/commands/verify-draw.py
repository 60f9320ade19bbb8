from django.core.management.base import BaseCommand, CommandError

from skillreg.draws.models import Draw
from skillreg.draws.services import draw_recompute


class Command(BaseCommand):
    help = "按存档的候选池、回避排除和随机种子重算随机抽取结果，并与存档结果比对。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("draw_ids", nargs="*", help="抽取记录编号（UUID）；不填则校验全部")

    def handle(self, *args: object, **options: object) -> None:
        draws = Draw.objects.order_by("drawn_at")
        ids = options["draw_ids"]
        if ids:
            draws = draws.filter(public_id__in=ids)  # type: ignore[misc]
        checked, bad = 0, []
        for record in draws.iterator():
            checked += 1
            if draw_recompute(record) != record.result:
                bad.append(str(record.public_id))
                self.stderr.write(f"不一致：{record.public_id}（{record.purpose}）")
        if bad:
            raise CommandError(f"随机抽取校验失败：{len(bad)}/{checked} 条结果与重算不一致")
        self.stdout.write(f"随机抽取校验通过：{checked} 条记录均可按种子重算得到相同结果。")
