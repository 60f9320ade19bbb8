from django.core.management.base import BaseCommand

from skillreg.web.demo import demo_password, load_demo


class Command(BaseCommand):
    help = "载入演示数据：各地机关、两个地区每种角色各一个账户、示例机构。可重复执行。"

    def handle(self, *args: object, **options: object) -> None:
        accounts, created = load_demo()
        self.stdout.write(f"演示账户（密码均为 {demo_password()}）：")
        for acc in accounts:
            self.stdout.write(f"  {acc.username:<26} {acc.role:<8} {acc.where}")
        self.stdout.write(
            f"演示数据{'已载入' if created else '已存在，未重复载入'}：{len(accounts)} 个账户。"
        )
