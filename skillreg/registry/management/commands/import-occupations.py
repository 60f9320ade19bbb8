import csv
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from skillreg.registry.models import Occupation

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "occupations-2022.csv"
CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
COLUMNS = ["code", "name", "middle_code", "middle_name", "minor_code", "minor_name", "source"]


class Command(BaseCommand):
    help = ("导入职业分类目录（CSV：code,name,middle_code,middle_name,minor_code,minor_name,source）。"
            "有任何错误行则一行也不写入。")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        errors, seen, clean = [], set(), []
        for number, row in enumerate(rows, start=2):
            missing = [c for c in COLUMNS[:2] if not (row.get(c) or "").strip()]
            if missing:
                errors.append(f"第 {number} 行：缺少 {', '.join(missing)}")
                continue
            code = row["code"].strip()
            if not CODE.match(code):
                errors.append(f"第 {number} 行：职业编码“{code}”格式应为 X-XX-XX-XX")
            elif code in seen:
                errors.append(f"第 {number} 行：职业编码“{code}”重复")
            seen.add(code)
            clean.append({c: (row.get(c) or "").strip() for c in COLUMNS})
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"导入失败：{len(errors)} 行有误，未写入任何数据。")
        with transaction.atomic():
            existing = {o.code: o for o in Occupation.objects.filter(code__in=seen)}
            new, changed = [], []
            for data in clean:
                current = existing.get(data["code"])
                if current is None:
                    new.append(Occupation(**data))
                else:
                    for field, value in data.items():
                        setattr(current, field, value)
                    changed.append(current)
            Occupation.objects.bulk_create(new, batch_size=500)
            Occupation.objects.bulk_update(changed, COLUMNS[1:], batch_size=500)
        self.stdout.write(f"职业目录导入完成：新增 {len(new)} 个，更新 {len(changed)} 个。")
