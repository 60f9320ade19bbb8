from django.core.management.base import BaseCommand

from skillreg.web.demo import demo_load, demo_password


class Command(BaseCommand):
    help = ("载入演示数据：各地机关、各角色账户、各状态的备案申请与专家评估、备案后管理、监督检查、"
            "考务与证书、档案。可重复执行，已有的不重复创建。")

    def handle(self, *args: object, **options: object) -> None:
        result = demo_load()
        self.stdout.write(f"演示账户（密码均为 {demo_password()}）：")
        for acc in result.accounts:
            self.stdout.write(f"  {acc.username:<26} {acc.role:<8} {acc.where}")
        self.stdout.write(result.counts_line())
        state = "已载入" if result.created else "已存在，未重复载入"
        self.stdout.write(f"演示数据{state}：{len(result.accounts)} 个账户。")
