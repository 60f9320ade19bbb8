from __future__ import annotations

import datetime as dt

from skillreg.workdays.schedule import DayEntry, format_schedule, parse_schedule


def test_it_reads_rest_and_work_days() -> None:
    parsed = parse_schedule(
        "date,is_workday,name\n2027-01-01,休,元旦\n\n# 春节\n2027-02-07，班，春节调休上班\n",
        year=2027,
    )
    assert parsed.ok
    assert parsed.days == [
        DayEntry(dt.date(2027, 1, 1), False, "元旦"),
        DayEntry(dt.date(2027, 2, 7), True, "春节调休上班"),
    ]


def test_it_reports_every_bad_line_with_its_number() -> None:
    parsed = parse_schedule(
        "2027-01-01,休,元旦\n"
        "2027-13-01,休,元旦\n"  # 2: no such month
        "2027-02-07,上午,春节\n"  # 3: neither 休 nor 班
        "2026-12-31,休,元旦\n"  # 4: another year
        "2027-01-01,休,元旦\n"  # 5: duplicate of line 1
        "2027-02-08,休\n"  # 6: two columns
        "2027-02-09,休,\n",  # 7: no name
        year=2027,
    )
    assert [e.line_no for e in parsed.errors] == [2, 3, 4, 5, 6, 7]
    assert "日期「2027-13-01」无效" in str(parsed.errors[0])
    assert "与第 1 行重复" in parsed.errors[3].message
    assert str(parsed.errors[0]).startswith("第 2 行「2027-13-01,休,元旦」")


def test_format_schedule_is_read_back_unchanged() -> None:
    days = [DayEntry(dt.date(2027, 1, 1), False, "元旦"), DayEntry(dt.date(2027, 2, 7), True, "班")]
    assert parse_schedule(format_schedule(days), year=2027).days == days
