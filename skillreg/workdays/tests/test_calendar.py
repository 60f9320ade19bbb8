"""The calendar: add_workdays and friends across 2026's holidays and into unknown 2027."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from skillreg.core.errors import InvalidInput
from skillreg.workdays.calendar import (
    MAX_WORKDAYS,
    Source,
    WorkCalendar,
    WorkdayResult,
    add_workdays,
    is_workday,
    workdays_between,
    workdays_left,
    year_schedule,
)
from skillreg.workdays.tests.factories import CalendarDayFactory

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_worked_example_counts_the_make_up_saturday() -> None:
    # 国庆节 2026: 10-01..10-07 off; Saturday 10-10 is a make-up working day.
    # After 09-30: 10-08 (1), 10-09 (2), 10-10 Sat (3), 10-12 (4), 10-13 (5).
    assert add_workdays(D(2026, 9, 30), 5) == WorkdayResult(D(2026, 10, 13), False)


def test_zero_working_days_is_the_start_itself() -> None:
    assert add_workdays(D(2026, 10, 3), 0) == WorkdayResult(D(2026, 10, 3), False)
    assert add_workdays(D(2031, 5, 1), 0) == WorkdayResult(D(2031, 5, 1), False)


def test_the_event_day_does_not_count() -> None:
    assert add_workdays(D(2026, 3, 2), 1).date == D(2026, 3, 3)  # Monday → Tuesday
    assert add_workdays(D(2026, 3, 6), 1).date == D(2026, 3, 9)  # Friday → Monday


class TestSpringFestival2026:
    # 2026 春节 (State Council notice, as chinese-calendar 1.11 records it): off from
    # Sunday 02-15 to Monday 02-23 (nine days); Saturday 02-14 and Saturday 02-28 are
    # make-up working days.

    def test_the_saturday_before_is_a_working_day(self) -> None:
        assert add_workdays(D(2026, 2, 13), 1) == WorkdayResult(D(2026, 2, 14), False)

    def test_the_holiday_is_skipped(self) -> None:
        # After Friday 02-13: 02-14 Sat (1), then nothing until Tuesday 02-24 (2).
        assert add_workdays(D(2026, 2, 13), 2).date == D(2026, 2, 24)
        # After Thursday 02-12: 02-13, 02-14, 02-24, 02-25, 02-26.
        assert add_workdays(D(2026, 2, 12), 5).date == D(2026, 2, 26)

    def test_the_saturday_after_is_a_working_day(self) -> None:
        assert add_workdays(D(2026, 2, 26), 2).date == D(2026, 2, 28)
        assert add_workdays(D(2026, 2, 27), 2).date == D(2026, 3, 2)

    def test_days_inside_the_holiday(self) -> None:
        assert is_workday(D(2026, 2, 14)) == (True, False)
        assert is_workday(D(2026, 2, 16)) == (False, False)
        assert is_workday(D(2026, 2, 23)) == (False, False)  # a Monday, still off
        assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)).days == 2


class TestNationalDay2026:
    # 2026 中秋 Friday 09-25 to Sunday 09-27; 国庆节 10-01 to 10-07; Sunday 09-20 and
    # Saturday 10-10 are make-up working days.

    def test_the_make_up_sunday_before(self) -> None:
        assert add_workdays(D(2026, 9, 18), 1).date == D(2026, 9, 20)

    def test_mid_autumn_is_skipped(self) -> None:
        assert add_workdays(D(2026, 9, 24), 1).date == D(2026, 9, 28)

    def test_the_week_is_skipped(self) -> None:
        assert add_workdays(D(2026, 9, 30), 1).date == D(2026, 10, 8)
        assert add_workdays(D(2026, 10, 9), 1).date == D(2026, 10, 10)
        # After 09-29: 09-30 (1), 10-08, 10-09, 10-10 Sat (4), 10-12 … 10-16 (9), 10-19 (10).
        assert add_workdays(D(2026, 9, 29), 10).date == D(2026, 10, 19)


class TestUnknownYear:
    def test_into_2027_is_provisional_on_monday_to_friday(self) -> None:
        # After Wednesday 2026-12-30: 12-31 (1), Friday 2027-01-01 counted as a weekday (2),
        # Monday 01-04 (3). chinese-calendar stops at 2026, so the result is provisional.
        assert add_workdays(D(2026, 12, 30), 3) == WorkdayResult(D(2027, 1, 4), True)
        assert is_workday(D(2027, 1, 1)) == (True, True)
        assert is_workday(D(2027, 1, 2)) == (False, True)

    def test_a_result_inside_2026_is_not_provisional(self) -> None:
        assert add_workdays(D(2026, 12, 28), 3) == WorkdayResult(D(2026, 12, 31), False)

    def test_crossing_only_a_weekend_of_2027_is_still_provisional(self) -> None:
        # Thursday 2026-12-31 + 1 crosses Friday 2027-01-01, a day nobody has decided yet.
        assert add_workdays(D(2026, 12, 31), 1) == WorkdayResult(D(2027, 1, 1), True)

    def test_entering_2027_settles_and_moves_the_result(self, year_2027: Any) -> None:
        # 2027-01-01 is now 元旦: after 2026-12-30 come 12-31, 01-04, 01-05.
        assert add_workdays(D(2026, 12, 30), 3) == WorkdayResult(D(2027, 1, 5), False)
        assert is_workday(D(2027, 1, 1)) == (False, False)
        assert is_workday(D(2027, 2, 7)) == (True, False)  # the make-up Sunday
        assert is_workday(D(2027, 3, 1)) == (True, False)  # Monday–Friday, now certain

    def test_a_year_nobody_knows_shows_as_provisional(self) -> None:
        schedule = year_schedule(2031)
        assert schedule.source == Source.UNKNOWN
        assert schedule.provisional
        assert schedule.special_days == []


def test_an_administrator_override_wins_over_chinese_calendar() -> None:
    # Suppose the make-up Saturday 2026-10-10 were cancelled: the worked example moves a day.
    CalendarDayFactory(date=D(2026, 10, 10), is_workday=False, name="国庆节（更正：取消调休）")
    assert is_workday(D(2026, 10, 10)) == (False, False)
    assert add_workdays(D(2026, 9, 30), 5) == WorkdayResult(D(2026, 10, 14), False)
    # The rest of 2026 still comes from chinese-calendar.
    assert is_workday(D(2026, 10, 1)) == (False, False)


@pytest.mark.parametrize("n", [-1, MAX_WORKDAYS + 1])
def test_negative_or_absurd_counts_are_refused(n: int) -> None:
    with pytest.raises(InvalidInput) as exc:
        add_workdays(D(2026, 9, 30), n)
    assert exc.value.field == "days"


def test_a_start_outside_the_supported_years_is_refused() -> None:
    with pytest.raises(InvalidInput):
        add_workdays(D(9999, 12, 30), 5)


def test_the_largest_count_is_computed() -> None:
    result = add_workdays(D(2026, 1, 1), MAX_WORKDAYS)
    assert result.provisional
    assert workdays_between(D(2026, 1, 1), result.date).days == MAX_WORKDAYS


@pytest.mark.parametrize("start", [D(2026, 1, 30), D(2026, 9, 18), D(2026, 12, 24)])
@pytest.mark.parametrize("n", [1, 5, 15, 20])
def test_workdays_between_undoes_add_workdays(start: dt.date, n: int) -> None:
    result = add_workdays(start, n)
    count = workdays_between(start, result.date)
    assert count.days == n
    assert count.provisional == result.provisional
    assert workdays_between(result.date, start).days == -n


class TestWorkdaysLeft:
    def test_it_counts_from_today_to_the_deadline(self) -> None:
        # From Thursday 10-08: 10-09, 10-10 (Sat, make-up), 10-12, 10-13.
        left = workdays_left(D(2026, 10, 13), D(2026, 10, 8))
        assert (left.days, left.overdue, left.provisional) == (4, False, False)
        assert left.label == "剩余 4 个工作日"

    def test_the_deadline_day_itself(self) -> None:
        assert workdays_left(D(2026, 10, 13), D(2026, 10, 13)).label == "今日到期"

    def test_it_is_overdue_after_the_deadline(self) -> None:
        left = workdays_left(D(2026, 10, 13), D(2026, 10, 15))
        assert left.overdue and left.days == -2
        assert left.label == "已逾期 2 个工作日"
        # The Saturday after a Friday deadline: late, though no working day has passed.
        weekend = workdays_left(D(2026, 10, 16), D(2026, 10, 17))
        assert weekend.overdue and weekend.label == "已逾期"

    def test_a_deadline_in_an_unknown_year_is_provisional(self) -> None:
        assert workdays_left(D(2027, 1, 8), D(2026, 12, 30)).provisional

    def test_it_reads_today_from_the_clock(self) -> None:
        from skillreg.core import clock

        with clock.frozen(dt.datetime(2026, 10, 8, 9, tzinfo=clock.LOCAL_TZ)):
            assert workdays_left(D(2026, 10, 13)).days == 4


def test_sixty_working_days_take_a_bounded_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    CalendarDayFactory(date=D(2026, 11, 2), is_workday=False, name="测试更正")
    with django_assert_max_num_queries(2):
        result = add_workdays(D(2026, 9, 1), 60)
    assert not result.provisional
    # Across into 2027 and over ten years, still a couple of queries, not one per day.
    with django_assert_max_num_queries(2):
        add_workdays(D(2026, 11, 1), 60)
    with django_assert_max_num_queries(4):
        add_workdays(D(2026, 1, 1), MAX_WORKDAYS)


def test_one_calendar_serves_many_computations_without_reloading(
    django_assert_max_num_queries: Any,
) -> None:
    calendar = WorkCalendar()
    calendar.preload(D(2026, 1, 1), D(2027, 12, 31))
    with django_assert_max_num_queries(0):
        for month in range(1, 13):
            add_workdays(D(2026, month, 1), 20, calendar=calendar)
