"""Screen an answer-sheet file without storing anything, and measure the method on it.

With --calibrate it also reports the empirical false-positive rate on pairs of examinees in
different rooms (who cannot have copied from each other) and on honest pseudo-rooms; these
are the figures in skillreg/archives/SIMILARITY.md.
"""

import time
from fractions import Fraction
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skillreg.archives import similarity
from skillreg.archives.sheets_io import SheetImportError, parse_sheets


class Command(BaseCommand):
    help = "对答卷文件做雷同筛查（不写入数据库）；--calibrate 同时测量跨考场误判率。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path")
        parser.add_argument("--alpha", type=float, default=similarity.DEFAULT_ALPHA)
        parser.add_argument("--fraction", default="1/3", help="考场判定比例（000 三(三)8：1/3，含本数）")
        parser.add_argument("--calibrate", action="store_true")
        parser.add_argument("--sample", type=int, default=None, help="跨考场对的随机样本量（默认全部）")
        parser.add_argument("--repeats", type=int, default=20, help="伪考场重复次数")
        parser.add_argument("--seed", type=int, default=20261120)

    def handle(self, *args: object, **options: object) -> None:
        try:
            _items, sheets = parse_sheets(Path(str(options["path"])).read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        except SheetImportError as exc:
            for error in exc.errors:
                self.stderr.write(error.text())
            raise CommandError(exc.message) from exc
        alpha = float(options["alpha"])  # type: ignore[arg-type]
        fraction = Fraction(str(options["fraction"]))
        tick = time.perf_counter()
        result = similarity.screen(sheets, alpha=alpha)
        elapsed = time.perf_counter() - tick
        reaching = [r for r in result.rooms if r.reaches(fraction)]
        for room in result.rooms:
            for pair in room.flagged:
                self.stdout.write(f"考场 {room.room}（{len(room.candidates)} 人）：{pair.a}–{pair.b} 相同错误 "
                                  f"{pair.identical_incorrect}（期望 {pair.expected:.1f}），"
                                  f"p = {similarity.format_p(pair.p_value)}"
                                  f"，阈值 {similarity.format_p(room.pair_alpha or 0)}")
        if options["calibrate"]:
            seed = int(str(options["seed"]))
            tick2 = time.perf_counter()
            null = similarity.cross_room_null(sheets, sample=options["sample"], seed=seed)  # type: ignore[arg-type]
            self.stdout.write(f"跨考场对 {null.pairs} 对（{time.perf_counter() - tick2:.1f} 秒）："
                              f"相同错误均值 {null.mean_x:.2f}，模型期望均值 {null.mean_expected:.2f}")
            for level, rate in null.rates.items():
                self.stdout.write(f"  名义 α = {level:g}：实际 p ≤ α 的比例 {rate:.6f}（{rate / level:.2f} 倍）")
            pseudo = similarity.pseudo_room_null(sheets, alpha=alpha, fraction=fraction,
                                                 repeats=int(str(options["repeats"])), seed=seed)
            self.stdout.write(f"伪考场 {pseudo.rooms} 个：出现异常雷同答卷对 {pseudo.rooms_with_flagged_pair} 个，"
                              f"达到判定比例 {pseudo.rooms_reaching_rule} 个")
        self.stdout.write(f"筛查完成：{result.n_sheets} 份答卷、{len(result.rooms)} 个考场、{result.total_pairs} 对，"
                          f"异常雷同 {sum(len(r.flagged) for r in result.rooms)} 对，达到判定比例的考场 "
                          f"{len(reaching)} 个，用时 {elapsed:.2f} 秒。")
