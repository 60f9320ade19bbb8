"""/api/v1/calendar: the working-day calculator and each year's arrangement (both public).

Parameters are read as text and checked here, so that a mistyped date or count gets a
Chinese message in the API's one error shape (422 ``{code, message, field}``) rather than
a validator's English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from skillreg.core.errors import InvalidInput
from skillreg.workdays.calendar import MAX_WORKDAYS, add_workdays, check_date, year_schedule
from skillreg.workdays.models import MAX_YEAR, MIN_YEAR
from skillreg.workdays.schedule import parse_date

router = Router(tags=["工作日历"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class WorkdayOut(Schema):
    date: dt.date
    provisional: bool


class DayOut(Schema):
    date: dt.date
    weekday: int  # 1 = Monday … 7 = Sunday (ISO)
    is_workday: bool
    kind: Literal["holiday", "makeup_workday", "workday"]
    name: str
    source: Literal["entered", "library", "weekdays", "unknown"]


class MonthOut(Schema):
    month: int
    days: list[DayOut]


class YearOut(Schema):
    year: int
    known: bool
    provisional: bool
    source: Literal["entered", "library", "unknown"]
    months: list[MonthOut]


def _query(description: str, example: object, **schema: object) -> Any:
    """A text query parameter documented as what it should hold (date, bounded integer)."""
    param = Query(..., description=description, example=example)
    param.json_schema_extra.update(schema)
    return param


def _parse_start(raw: str) -> dt.date:
    date = parse_date(raw)
    if date is None:
        raise InvalidInput(f"start「{raw}」不是有效日期，应为 YYYY-MM-DD", field="start")
    check_date(date, field_name="start")
    return date


def _parse_int(raw: str, *, field: str, what: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise InvalidInput(f"{what}「{raw}」应为整数", field=field) from None


@router.get(
    "/add-workdays",
    auth=None,
    response={200: WorkdayOut, 422: ErrorOut},
    summary="计算第 N 个工作日",
)
def add_workdays_endpoint(
    request: HttpRequest,
    start: str = _query("触发事件发生之日（不计入），YYYY-MM-DD", "2026-09-30", format="date"),
    days: str = _query(
        f"工作日数 N，0–{MAX_WORKDAYS}（0 返回 start 本身）", 5,
        type="integer", minimum=0, maximum=MAX_WORKDAYS,
    ),
) -> WorkdayOut:
    """事件发生之日不计入，返回其后第 N 个工作日（扣除法定节假日，计入调休上班日）。

    经过尚未录入节假日安排的年度时，按周一至周五计算并标记 `provisional: true`（暂定），
    该年度录入后应重新计算。N 超过 3650 或为负数、日期无效时返回 422。
    """
    result = add_workdays(_parse_start(start), _parse_int(days, field="days", what="工作日数"))
    return WorkdayOut(date=result.date, provisional=result.provisional)


@router.get(
    "/days",
    auth=None,
    response={200: YearOut, 422: ErrorOut},
    summary="某年度的节假日与调休上班日",
)
def year_days(
    request: HttpRequest,
    year: str = _query(
        f"年度，{MIN_YEAR}–{MAX_YEAR}", 2026, type="integer", minimum=MIN_YEAR, maximum=MAX_YEAR
    ),
) -> YearOut:
    """按月列出与“周一至周五上班”不同的日子：法定节假日（含假期中的周末）和调休上班日。

    `known` 为假时该年度尚未录入，全年按周一至周五计算，`provisional` 为真。
    """
    schedule = year_schedule(_parse_int(year, field="year", what="年度"))
    return YearOut(
        year=schedule.year,
        known=schedule.known,
        provisional=schedule.provisional,
        source=schedule.source.value,  # type: ignore[arg-type]
        months=[
            MonthOut(month=month, days=[
                DayOut(
                    date=d.date, weekday=d.date.isoweekday(), is_workday=d.is_workday,
                    kind=d.kind,  # type: ignore[arg-type]
                    name=d.name, source=d.source.value,  # type: ignore[arg-type]
                )
                for d in days
            ])
            for month, days in schedule.special_days_by_month()
        ],
    )
