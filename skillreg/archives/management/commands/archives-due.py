"""List the archive records whose retention period is over and that are not yet destroyed."""

from django.core.management.base import BaseCommand

from skillreg.archives.models import ArchiveRecord
from skillreg.archives.selectors import due_records, silent_records
from skillreg.core import clock


class Command(BaseCommand):
    help = "列出保存期满、尚未销毁的档案（留置的单独标明），并统计文件未规定保存期限的档案。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--institution", help="只看名称含此文字的考核机构")

    def handle(self, *args: object, **options: object) -> None:
        today = clock.today()
        qs = ArchiveRecord.objects.select_related("institution")
        if options.get("institution"):
            qs = qs.filter(institution__name__contains=str(options["institution"]))
        due = list(due_records(qs, today))
        held = 0
        for record in due:
            mark = ""
            if record.status == ArchiveRecord.Status.HELD:
                held += 1
                mark = f" [留置：{record.hold_reason}]"
            elif record.status == ArchiveRecord.Status.APPROVED:
                mark = " [已批准销毁]"
            self.stdout.write(f"{record.retain_until:%Y-%m-%d}  {record.institution.name}  {record.title}"
                              f"（{record.get_kind_display()}，{record.retention_source}）{mark}")
        silent = silent_records(qs).count()
        self.stdout.write(f"截至 {today:%Y-%m-%d}：保存期满待销毁档案 {len(due)} 件（其中留置 {held} 件），"
                          f"文件未规定保存期限的档案 {silent} 件。")
