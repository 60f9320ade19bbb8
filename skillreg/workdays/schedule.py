"""A year's schedule as people type it: one day a line, ``date,休|班,name``.

The same reader serves the enter-year page (textarea or uploaded CSV) and the
``calendar-import`` command, so both accept the same lines and report the same errors:
every bad line, with its number, never only the first.

    2027-01-01,休,元旦
    2027-02-07,班,春节调休上班

A header line ``date,is_workday,name`` is skipped; so are blank lines and ``#`` comments.
The second column also accepts 1/0, true/false, 是/否, 上班/休息.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import NamedTuple

NAME_MAX_LENGTH = 50

_WORK = {"班", "上班", "工作日", "1", "true", "yes", "y", "是", "workday", "work"}
_REST = {"休", "休息", "假", "放假", "节假日", "0", "false", "no", "n", "否", "holiday", "rest"}
_HEADER = {"date", "日期"}


class DayEntry(NamedTuple):
    date: dt.date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class LineError:
    line_no: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.line_no} 行「{self.text}」：{self.message}"


@dataclass
class ParsedSchedule:
    days: list[DayEntry] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_schedule(text: str, *, year: int | None = None) -> ParsedSchedule:
    """Read the lines; with ``year``, every date must lie in it."""
    result = ParsedSchedule()
    seen: dict[dt.date, int] = {}
    # Full-width commas are what a Chinese input method types by default.
    lines = text.replace("，", ",").splitlines()
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line)))]
        if cells and cells[0].lower() in _HEADER:
            continue

        def bad(message: str, line_no: int = line_no, line: str = line) -> None:
            result.errors.append(LineError(line_no, line, message))

        if len(cells) != 3:
            bad(f"应有 3 栏（日期,休或班,名称），实有 {len(cells)} 栏")
            continue
        date_text, kind_text, name = cells
        date = parse_date(date_text)
        if date is None:
            bad(f"日期「{date_text}」无效，应为 YYYY-MM-DD")
            continue
        kind = kind_text.lower()
        if kind not in _WORK and kind not in _REST:
            bad(f"第二栏「{kind_text}」无法识别，应为“休”或“班”")
            continue
        if not name:
            bad("缺少名称（如 春节、国庆节调休上班）")
            continue
        if len(name) > NAME_MAX_LENGTH:
            bad(f"名称过长（不超过 {NAME_MAX_LENGTH} 字）")
            continue
        if year is not None and date.year != year:
            bad(f"日期不在 {year} 年内")
            continue
        if date in seen:
            bad(f"日期 {date.isoformat()} 与第 {seen[date]} 行重复")
            continue
        seen[date] = line_no
        result.days.append(DayEntry(date, kind in _WORK, name))
    return result


def format_schedule(days: list[DayEntry]) -> str:
    """The lines ``parse_schedule`` reads, to prefill the form with what is stored."""
    return "\n".join(
        f"{d.date.isoformat()},{'班' if d.is_workday else '休'},{d.name}" for d in days
    )
