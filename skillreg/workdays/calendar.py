"""The one working-day calendar.

Where a day's status comes from, first match wins:

1. a day the system administrator entered (``CalendarDay``): corrections and new years;
2. chinese-calendar, for the years it knows (the State Council's notices up to its release);
3. Monday to Friday. In a year the administrator entered this is the arrangement itself
   (the entered days are its exceptions); in a year nobody knows it is a guess, and every
   result that crosses such a day is flagged ``provisional`` so that it is shown as such
   and recomputed when the year is entered (``signals.calendar_changed``).

Nothing here raises for an unknown year; only malformed input (negative or absurd counts,
dates outside ``MIN_YEAR``–``MAX_YEAR``) raises ``InvalidInput``.

A ``WorkCalendar`` caches what it loaded; the module functions make a fresh one per call.
A caller computing many deadlines (a sweep) passes one ``calendar=`` to all of them.

Arithmetic reads a precomputed table per year (issue 8, figure 6): the offsets of the year's
working days and the running counts of working and provisional days, so ``add_workdays`` and
``workdays_between`` cost a few lookups per year crossed instead of one step per day. The
table of a year without administrator-entered days depends only on chinese-calendar and the
weekday rule and is built once per process; a year with entered days gets its own table in
the calendar that loaded them (built from the same ``day()`` answers, so both agree).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import chinese_calendar
from chinese_calendar.constants import Holiday

from skillreg.core import clock
from skillreg.core.errors import InvalidInput
from skillreg.workdays import selectors
from skillreg.workdays.models import MAX_YEAR, MIN_YEAR

# The largest count add_workdays accepts: about 14 years of working days. The longest clock
# in the policy packs is counted in weeks; anything near this bound is a typing mistake.
MAX_WORKDAYS = 3650

ONE_DAY = dt.timedelta(days=1)
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
PROVISIONAL_NOTE = "暂定（该年度法定节假日安排尚未录入）"

_HOLIDAY_CHINESE = {h.value: h.chinese for h in Holiday}


class Source(enum.StrEnum):
    ENTERED = "entered"  # a day the administrator entered
    LIBRARY = "library"  # chinese-calendar
    WEEKDAYS = "weekdays"  # Monday–Friday in a year the administrator entered
    UNKNOWN = "unknown"  # Monday–Friday in a year nobody knows: provisional


class WorkdayStatus(NamedTuple):
    is_workday: bool
    provisional: bool


@dataclass(frozen=True)
class WorkdayResult:
    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class WorkdayCount:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""

    days: int
    provisional: bool


@dataclass(frozen=True)
class WorkdaysLeft:
    days: int  # working days from today (exclusive) to the deadline (inclusive); < 0 late
    overdue: bool
    provisional: bool

    @property
    def label(self) -> str:
        if self.overdue:
            return f"已逾期 {-self.days} 个工作日" if self.days < 0 else "已逾期"
        if self.days == 0:
            return "今日到期"
        return f"剩余 {self.days} 个工作日"


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_workday: bool
    provisional: bool
    name: str
    source: Source

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def is_special(self) -> bool:
        """Differs from a plain Monday–Friday week, or is named (a weekend inside a holiday)."""
        return (
            bool(self.name) or self.is_workday == self.is_weekend or self.source == Source.ENTERED
        )

    @property
    def kind(self) -> str:
        if not self.is_workday:
            return "holiday"
        return "makeup_workday" if self.is_weekend else "workday"

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()]


@functools.cache
def library_knows(year: int) -> bool:
    """Whether chinese-calendar has the State Council's arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _library_day(date: dt.date) -> tuple[bool, str]:
    on_holiday, english = chinese_calendar.get_holiday_detail(date)
    if not english:
        return not on_holiday, ""
    name = _HOLIDAY_CHINESE.get(english, english)
    return (True, f"{name}调休上班") if not on_holiday else (False, name)


@dataclass(frozen=True)
class _YearTable:
    """One year's working days, precomputed from ``WorkCalendar.day`` for each date.

    Offsets count from 1 January (0). ``before[i]``: working days at offsets < i;
    ``provisional_before[i]``: provisional days at offsets < i; both of length days + 1.
    """

    first: dt.date
    workdays: tuple[int, ...]
    before: tuple[int, ...]
    provisional_before: tuple[int, ...]

    @classmethod
    def build(cls, infos: list[DayInfo]) -> _YearTable:
        workdays, before, provisional_before = [], [0], [0]
        for offset, info in enumerate(infos):
            if info.is_workday:
                workdays.append(offset)
            before.append(len(workdays))
            provisional_before.append(provisional_before[-1] + info.provisional)
        return cls(infos[0].date, tuple(workdays), tuple(before), tuple(provisional_before))

    def provisional_in(self, lo: int, hi: int) -> bool:
        """Whether any day at offsets [lo, hi) is provisional."""
        return self.provisional_before[hi] > self.provisional_before[lo]


# Tables of years without entered days, by (year, entered): the same in every calendar.
_BASE_TABLES: dict[tuple[int, bool], _YearTable] = {}


@dataclass
class _Year:
    entered: bool
    days: dict[dt.date, tuple[bool, str]] = field(default_factory=dict)
    table: _YearTable | None = None


def check_date(date: dt.date, *, field_name: str = "start") -> None:
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise InvalidInput(
            f"日期 {date.isoformat()} 超出支持范围（{MIN_YEAR}–{MAX_YEAR} 年）", field=field_name
        )


def check_workday_count(n: int, *, field_name: str = "days") -> None:
    if n < 0:
        raise InvalidInput("工作日数不能为负数", field=field_name)
    if n > MAX_WORKDAYS:
        raise InvalidInput(f"工作日数不能超过 {MAX_WORKDAYS}", field=field_name)


class WorkCalendar:
    """The calendar, loading administrator data a range of years at a time (two queries)."""

    def __init__(self) -> None:
        self._years: dict[int, _Year] = {}

    def preload(self, first: dt.date, last: dt.date) -> None:
        wanted = [y for y in range(first.year, last.year + 1) if y not in self._years]
        if not wanted:
            return
        lo, hi = wanted[0], wanted[-1]
        entered = set(selectors.calendar_years_between(lo, hi).values_list("year", flat=True))
        fresh = {y: _Year(entered=y in entered) for y in range(lo, hi + 1) if y not in self._years}
        for day in selectors.calendar_days_between(dt.date(lo, 1, 1), dt.date(hi, 12, 31)):
            if day.date.year in fresh:
                fresh[day.date.year].days[day.date] = (day.is_workday, day.name)
        self._years.update(fresh)

    def _year(self, year: int) -> _Year:
        if year not in self._years:
            self.preload(dt.date(year, 1, 1), dt.date(year, 12, 31))
        return self._years[year]

    def year_known(self, year: int) -> bool:
        return self._year(year).entered or library_knows(year)

    def year_entered(self, year: int) -> bool:
        return self._year(year).entered

    def day(self, date: dt.date) -> DayInfo:
        year = self._year(date.year)
        if date in year.days:
            is_workday, name = year.days[date]
            return DayInfo(date, is_workday, False, name, Source.ENTERED)
        if library_knows(date.year):
            is_workday, name = _library_day(date)
            return DayInfo(date, is_workday, False, name, Source.LIBRARY)
        source = Source.WEEKDAYS if year.entered else Source.UNKNOWN
        return DayInfo(date, date.weekday() < 5, not year.entered, "", source)

    def days(self, first: dt.date, last: dt.date) -> Iterator[DayInfo]:
        """Every day in [first, last]."""
        self.preload(first, last)
        date = first
        while date <= last:
            yield self.day(date)
            date += ONE_DAY

    def is_workday(self, date: dt.date) -> WorkdayStatus:
        info = self.day(date)
        return WorkdayStatus(info.is_workday, info.provisional)

    def _table(self, year: int) -> _YearTable:
        loaded = self._year(year)
        if loaded.table is None:
            key = (year, loaded.entered)
            if loaded.days or key not in _BASE_TABLES:
                first = dt.date(year, 1, 1)
                infos = [self.day(first + dt.timedelta(days=i))
                         for i in range((dt.date(year + 1, 1, 1) - first).days)]
                table = _YearTable.build(infos)
                if loaded.days:
                    loaded.table = table
                    return table
                _BASE_TABLES[key] = table
            loaded.table = _BASE_TABLES[key]
        return loaded.table

    def add_workdays(self, start: dt.date, n: int) -> WorkdayResult:
        check_date(start, field_name="start")
        check_workday_count(n, field_name="days")
        if n == 0:
            return WorkdayResult(start, False)
        # n working days span about n·7/5 calendar days plus the holidays on the way;
        # load that range at once, and further years lazily if holidays push past it.
        self.preload(start, start + dt.timedelta(days=n * 7 // 5 + 40))
        year, pos, remaining, provisional = start.year, start.timetuple().tm_yday, n, False
        while True:  # once per year crossed: at most ~15 for MAX_WORKDAYS
            table = self._table(year)
            done = table.before[pos]  # working days of this year up to the start
            available = len(table.workdays) - done
            if remaining <= available:
                target = table.workdays[done + remaining - 1]
                provisional = provisional or table.provisional_in(pos, target + 1)
                return WorkdayResult(table.first + dt.timedelta(days=target), provisional)
            provisional = provisional or table.provisional_in(pos, len(table.before) - 1)
            remaining -= available
            year, pos = year + 1, 0

    def workdays_between(self, a: dt.date, b: dt.date) -> WorkdayCount:
        if b < a:
            reverse = self.workdays_between(b, a)
            return WorkdayCount(-reverse.days, reverse.provisional)
        if b == a:
            return WorkdayCount(0, False)
        self.preload(a + ONE_DAY, b)
        count, provisional = 0, False
        for year in range(a.year, b.year + 1):  # the days (a, b], year by year
            table = self._table(year)
            lo = a.timetuple().tm_yday if year == a.year else 0
            hi = b.timetuple().tm_yday if year == b.year else len(table.before) - 1
            count += table.before[hi] - table.before[lo]
            provisional = provisional or table.provisional_in(lo, hi)
        return WorkdayCount(count, provisional)

    def workdays_left(self, deadline: dt.date, today: dt.date | None = None) -> WorkdaysLeft:
        today = today or clock.today()
        count = self.workdays_between(today, deadline)
        return WorkdaysLeft(count.days, today > deadline, count.provisional)


def is_workday(date: dt.date, *, calendar: WorkCalendar | None = None) -> WorkdayStatus:
    """``(is_workday, provisional)`` for one date."""
    return (calendar or WorkCalendar()).is_workday(date)


def add_workdays(start: dt.date, n: int, *, calendar: WorkCalendar | None = None) -> WorkdayResult:
    """The Nth working day after ``start``; ``start`` itself (the triggering event) does not count.

    ``n == 0`` returns ``start``. 2026-09-30 + 5 = 2026-10-13 (10-10 is a make-up Saturday).
    """
    return (calendar or WorkCalendar()).add_workdays(start, n)


def workdays_between(
    a: dt.date, b: dt.date, *, calendar: WorkCalendar | None = None
) -> WorkdayCount:
    """Working days in (a, b]: ``workdays_between(s, add_workdays(s, n).date).days == n``."""
    return (calendar or WorkCalendar()).workdays_between(a, b)


def workdays_left(
    deadline: dt.date, today: dt.date | None = None, *, calendar: WorkCalendar | None = None
) -> WorkdaysLeft:
    """Working days left until ``deadline`` (inclusive) from ``today`` (default: the clock)."""
    return (calendar or WorkCalendar()).workdays_left(deadline, today)


@dataclass(frozen=True)
class YearSchedule:
    year: int
    known: bool
    source: Source  # ENTERED (administrator), LIBRARY (chinese-calendar) or UNKNOWN
    days: list[DayInfo]  # every day of the year

    @property
    def provisional(self) -> bool:
        return not self.known

    @property
    def special_days(self) -> list[DayInfo]:
        return [d for d in self.days if d.is_special]

    def special_days_by_month(self) -> list[tuple[int, list[DayInfo]]]:
        months: list[tuple[int, list[DayInfo]]] = [(m, []) for m in range(1, 13)]
        for d in self.special_days:
            months[d.date.month - 1][1].append(d)
        return months


def year_schedule(year: int, *, calendar: WorkCalendar | None = None) -> YearSchedule:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间", field="year")
    cal = calendar or WorkCalendar()
    days = list(cal.days(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if cal.year_entered(year):
        source = Source.ENTERED
    elif library_knows(year):
        source = Source.LIBRARY
    else:
        source = Source.UNKNOWN
    return YearSchedule(year, cal.year_known(year), source, days)
