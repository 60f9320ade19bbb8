from django.core.management.base import BaseCommand, CommandError

from skillreg.audit.services import verify_chain


class Command(BaseCommand):
    help = "逐条校验审计日志哈希链，指出第一条被篡改或缺失的事件。"

    def handle(self, *args: object, **options: object) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"审计链在第 {report.broken_seq} 条事件处断裂：{report.reason}"
                f"（此前 {report.checked} 条完好）"
            )
        self.stdout.write(f"审计链完整：已校验 {report.checked} 条事件。")
