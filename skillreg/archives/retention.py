"""How long an archive record is kept: read from the institution's pack, never invented.

pack.retention.paper / .electronic / .video give the years and the clause:
002 第十八条 (bz-2023-special) paper ≥ 5, electronic ≥ 10; 003 四(九) (nm-2021-skill-level)
paper ≥ 3, electronic ≥ 5; 001 五(二) (sc-2021-appraisal) 3 years for 文档资料 and video.
Where a pack is silent the record has no retention date (shown as 文件未规定) and is never
due for destruction.

Counting a period in years follows 民法典 第二百零一条、第二百零二条: the day the record
is made is not counted, and the period ends at the end of the corresponding day of the
final year (the last day of the month when there is none, i.e. 29 Feb → 28 Feb). The
record may be destroyed from the next day on.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from skillreg.policies.schema import Pack, PolicyYears

SILENT = "文件未规定"


@dataclass(frozen=True)
class Retention:
    years: int | None
    at_least: bool
    source: str
    note: str
    retain_until: dt.date | None

    @property
    def text(self) -> str:
        if self.years is None:
            return SILENT
        return f"{'不少于' if self.at_least else ''}{self.years} 年（{self.source}）"


def add_years(day: dt.date, years: int) -> dt.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def rule_for(pack: Pack, kind: str) -> PolicyYears:
    return {"paper": pack.retention.paper, "electronic": pack.retention.electronic,
            "video": pack.retention.video}[kind]


def retention_for(pack: Pack, kind: str, made_on: dt.date) -> Retention:
    rule = rule_for(pack, kind)
    if rule.years is None:
        return Retention(None, False, rule.source or "", rule.note or SILENT, None)
    return Retention(rule.years, rule.at_least, rule.source or "", rule.scope or "",
                     add_years(made_on, rule.years))


def destroyable_from(retain_until: dt.date) -> dt.date:
    return retain_until + dt.timedelta(days=1)
