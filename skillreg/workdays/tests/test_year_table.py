"""The precomputed year tables (issue 8, figure 6) give the same answers as walking day by day.

Across 2026's holidays and make-up days (chinese-calendar), an administrator's correction,
an entered year and an unknown (provisional) year.
"""

from __future__ import annotations

import datetime as dt

import pytest

from skillreg.workdays.calendar import WorkCalendar, WorkdayCount, WorkdayResult
from skillreg.workdays.tests.factories import CalendarDayFactory, CalendarYearFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _walk_add(calendar: WorkCalendar, start: dt.date, n: int) -> WorkdayResult:
    date, counted, provisional = start, 0, False
    while counted < n:
        date += dt.timedelta(days=1)
        info = calendar.day(date)
        provisional = provisional or info.provisional
        counted += info.is_workday
    return WorkdayResult(date, provisional)


def _walk_between(calendar: WorkCalendar, a: dt.date, b: dt.date) -> WorkdayCount:
    infos = [calendar.day(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1)]
    return WorkdayCount(sum(i.is_workday for i in infos), any(i.provisional for i in infos))


def test_the_tables_agree_with_a_day_by_day_walk_across_holidays_corrections_and_unknown_years() -> None:
    CalendarDayFactory(date=D(2026, 11, 2), is_workday=False, name="测试更正")  # a correction
    CalendarDayFactory(date=D(2026, 11, 7), is_workday=True, name="测试调休上班")  # a Saturday worked
    CalendarYearFactory(year=2030)  # entered with no exceptions: Monday–Friday, not provisional
    calendar = WorkCalendar()
    starts = [D(2025, 12, 31), D(2026, 1, 1), D(2026, 2, 13), D(2026, 9, 30), D(2026, 10, 3), D(2026, 11, 1),
              D(2026, 12, 31), D(2027, 6, 15), D(2029, 12, 28)]
    for start in starts:
        for n in (1, 2, 5, 20, 60, 250, 400, 1000):
            assert calendar.add_workdays(start, n) == _walk_add(calendar, start, n), (start, n)
        for days in (1, 7, 45, 366, 900):
            end = start + dt.timedelta(days=days)
            assert calendar.workdays_between(start, end) == _walk_between(calendar, start, end), (start, days)


def test_the_worked_example_and_the_boundaries_of_a_year() -> None:
    calendar = WorkCalendar()
    assert calendar.add_workdays(D(2026, 9, 30), 5) == WorkdayResult(D(2026, 10, 13), False)
    # 2026-12-31 is a Thursday; the first working day after it lies in 2027 (not yet known: provisional).
    assert calendar.add_workdays(D(2026, 12, 31), 1).date.year == 2027
    assert calendar.add_workdays(D(2026, 12, 30), 1) == WorkdayResult(D(2026, 12, 31), False)
    assert calendar.workdays_between(D(2026, 12, 31), D(2026, 12, 31)) == WorkdayCount(0, False)
