"""Reads of the administrator-entered calendar data."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from skillreg.workdays.models import CalendarDay, CalendarYear


def calendar_years_between(first_year: int, last_year: int) -> QuerySet[CalendarYear]:
    return CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year)


def calendar_days_between(first: dt.date, last: dt.date) -> QuerySet[CalendarDay]:
    """Entered days in [first, last]; served by the unique index on ``date``."""
    return CalendarDay.objects.filter(date__gte=first, date__lte=last).order_by("date")


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_related("entered_by").filter(year=year).first()


def calendar_year_list() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.select_related("entered_by").order_by("-year")
